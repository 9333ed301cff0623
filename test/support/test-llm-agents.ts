import { Agent, AgentContext } from '@app/agent-sdk';

/**
 * An agent that asks its step's language model (`context.llm`, configured by the orchestrator's
 * `LLM_*`), for the language-model usage specs; loaded through `AGENT_MODULES`. It asks once per
 * prompt in `input.prompts`, streamed when `input.isStreamed`, of `input.model` when given (else
 * the configured model), and returns the answers.
 */
const chat: Agent = {
  descriptor: { name: 'test-llm-chat', version: '1.0.0', description: 'asks the language model each prompt' },
  async execute(context: AgentContext) {
    const prompts = (context.input.prompts ?? ['hello']) as string[];
    const answers: string[] = [];
    for (const prompt of prompts) {
      const completion = await context.llm.complete({
        messages: [{ role: 'user', content: prompt }],
        isStreamed: context.input.isStreamed === true,
        ...(typeof context.input.model === 'string' ? { model: context.input.model } : {}),
      });
      answers.push(completion.text);
    }
    return { answers };
  },
};

export function createAgents(): Agent[] {
  return [chat];
}

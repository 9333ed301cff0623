import { Agent } from '../agent';
import { StepLlms } from './step-llms';

/**
 * The agent as the step runner runs it, with every LLM call it reports itself through
 * `recordLlmUsage` also recorded like the calls of `context.llm`: in the `llm_*` metrics by agent
 * and model, and as a row of `llm_calls`.
 */
export function countingLlmUsage(agent: Agent, llms: StepLlms): Agent {
  return {
    descriptor: agent.descriptor,
    execute: (context) =>
      agent.execute({
        ...context,
        recordLlmUsage: (usage) => {
          llms.selfReported({ ...context, agent: agent.descriptor.name }, usage);
          context.recordLlmUsage(usage);
        },
      }),
  };
}

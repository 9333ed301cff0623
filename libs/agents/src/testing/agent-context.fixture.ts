import { AgentContext, InlineCpuPool, LlmClient, LlmMessage, LlmSettings, LlmUsage } from '@app/agent-sdk';
import { LogLevel, WorkflowType } from '@app/contracts';
import { randomUUID } from 'node:crypto';

export interface RecordedLog {
  level: LogLevel;
  message: string;
  metadata?: Record<string, unknown>;
}

/** An AgentContext as the engine would hand it over, recording logs and LLM usage for assertions. */
export interface TestContext extends AgentContext {
  logs: RecordedLog[];
  usage: LlmUsage[];
}

/** CPU tasks of agents under test run inline, as with `CPU_POOL_THREADS=0`. */
const inlinePool = new InlineCpuPool();

/**
 * A context whose `llm` is the SDK's client with `llmSettings` (the offline rules unless given),
 * every model call it reports kept in `usage`.
 */
export function createTestContext(
  overrides: Partial<AgentContext> & { llmSettings?: LlmSettings } = {},
): TestContext {
  const { llmSettings, ...fields } = overrides;
  const logs: RecordedLog[] = [];
  const usage: LlmUsage[] = [];
  const log = (level: LogLevel, message: string, metadata?: Record<string, unknown>) =>
    void logs.push({ level, message, metadata });
  const signal = fields.signal ?? new AbortController().signal;
  const context: TestContext = {
    workflowId: randomUUID(),
    workflowType: WorkflowType.CreateSite,
    stepId: 'test',
    sessionId: `session-${randomUUID()}`,
    tenantId: 'tenant-test',
    attempt: 1,
    input: {},
    preferences: {},
    dependencies: {},
    signal,
    deadline: new Date(Date.now() + 300_000),
    llm: new LlmClient(llmSettings).forStep({
      agent: 'test',
      signal,
      log,
      report: ({ promptTokens, completionTokens, model }) =>
        usage.push({ promptTokens, completionTokens, model }),
    }),
    ...fields,
    logs,
    usage,
    log,
    recordLlmUsage: (spent) => usage.push(spent),
    runCpuTask: (task, input) => inlinePool.run(task, input, { signal: context.signal }),
  };
  return context;
}

/**
 * A language model that answers with scripted texts in turn (the last one again after that),
 * through the SDK's OpenAI-compatible provider over a fake `fetch`: the client's repair, usage and
 * error handling run as in production. `requests` holds what each call sent.
 */
export function scriptedLlm(
  model: string,
  ...answers: string[]
): { settings: LlmSettings; requests: Array<{ messages: LlmMessage[] }> } {
  const requests: Array<{ messages: LlmMessage[] }> = [];
  const fetch = async (_url: unknown, init?: { body?: unknown }) => {
    requests.push(JSON.parse(String(init?.body)) as { messages: LlmMessage[] });
    const text = answers[Math.min(requests.length - 1, answers.length - 1)];
    return new Response(
      JSON.stringify({
        model,
        choices: [{ message: { role: 'assistant', content: text } }],
        usage: { prompt_tokens: 10, completion_tokens: 5 },
      }),
      { status: 200, headers: { 'content-type': 'application/json' } },
    );
  };
  return {
    settings: {
      default: { provider: 'openai-compatible', baseUrl: 'http://model.test/v1', model },
      fetch: fetch as typeof globalThis.fetch,
    },
    requests,
  };
}

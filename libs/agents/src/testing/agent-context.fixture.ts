import { AgentContext, InlineCpuPool, LlmUsage } from '@app/agent-sdk';
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

export function createTestContext(overrides: Partial<AgentContext> = {}): TestContext {
  const logs: RecordedLog[] = [];
  const usage: LlmUsage[] = [];
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
    signal: new AbortController().signal,
    deadline: new Date(Date.now() + 300_000),
    ...overrides,
    logs,
    usage,
    log: (level, message, metadata) => logs.push({ level, message, metadata }),
    recordLlmUsage: (spent) => usage.push(spent),
    runCpuTask: (task, input) => inlinePool.run(task, input, { signal: context.signal }),
  };
  return context;
}

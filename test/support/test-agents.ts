import { Agent, AgentContext, NetworkError, ValidationError } from '@app/agent-sdk';
import { LogLevel } from '@app/contracts';
import { RedisClient } from '@app/redis';
import { connectTestRedis } from './test-environment';

/**
 * Agents for engine tests, loaded into orchestrator processes through `AGENT_MODULES`. Each
 * records what it did in RedisClient under the workflow's id, so a test can see executions that
 * happened in another process.
 */
let redis: RedisClient | null = null;
const connection = () => (redis ??= connectTestRedis());
/**
 * Records live under the orchestrator's own REDIS_PREFIX, the spec's namespace, so its cleanup
 * removes them. (Test code: it reads the environment the spec gave the process.)
 */
const namespace = () => process.env.REDIS_PREFIX ?? 'test';

/** One execution of a test agent, as recorded in Redis. */
export interface ExecutionRecord {
  startedAt: number;
  finishedAt: number;
  attempt: number;
  pid: number;
  isAborted: boolean;
  /** The work item's index, for a sub-step of a fan-out step. */
  item?: number;
}

/** Records each execution in the list `<REDIS_PREFIX>:test:<workflowId>:<stepId>`. */
async function record(context: AgentContext, startedAt: number): Promise<void> {
  await connection().rpush(
    `${namespace()}:test:${context.workflowId}:${context.stepId}`,
    JSON.stringify({
      startedAt,
      finishedAt: Date.now(),
      attempt: context.attempt,
      pid: process.pid,
      isAborted: context.signal.aborted,
      ...(context.item ? { item: context.item.index } : {}),
    }),
  );
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** An agent that records each of its executions (see {@link executionsOf}). */
export const recordingAgent = (
  name: string,
  execute: (context: AgentContext) => Promise<unknown>,
  extra: Partial<Agent['descriptor']> = {},
): Agent => ({
  descriptor: { name, version: '1.0.0', description: `test agent ${name}`, ...extra },
  async execute(context) {
    const startedAt = Date.now();
    try {
      return await execute(context);
    } finally {
      await record(context, startedAt);
    }
  },
});

/**
 * Sleeps `input.sleepMs[stepId]` (default 0), then returns its step id and what it received.
 * With `input.llmModel`, reports one LLM call of that model (3 prompt, 2 completion tokens) first.
 */
const echo = recordingAgent('test-echo', async (context) => {
  const delays = (context.input.sleepMs ?? {}) as Record<string, number>;
  if (typeof context.input.llmModel === 'string') {
    context.recordLlmUsage({ promptTokens: 3, completionTokens: 2, model: context.input.llmModel });
  }
  await sleep(delays[context.stepId] ?? 0, context.signal);
  context.log(LogLevel.Info, `echo ${context.stepId}`, { dependencies: Object.keys(context.dependencies) });
  return { stepId: context.stepId, saw: Object.keys(context.dependencies).sort() };
});

/** Fails with a network error until its third attempt. */
const flaky = recordingAgent(
  'test-flaky',
  async (context) => {
    if (context.attempt < 3) throw new NetworkError(`connection reset (attempt ${context.attempt})`);
    return { succeededOnAttempt: context.attempt };
  },
  { retry: { initialDelayMs: 100, maxDelayMs: 1000 } },
);

/**
 * Calls the dependency `test-dependency` through its circuit breaker (`context.breakers`): the
 * call fails with a network error on the first two attempts, then succeeds.
 */
const guarded = recordingAgent(
  'test-guarded',
  async (context) => {
    if (!context.breakers) throw new ValidationError('no breakers in the context');
    return context.breakers.guard('test-dependency', async () => {
      if (context.attempt < 3) throw new NetworkError(`dependency down (attempt ${context.attempt})`);
      return { succeededOnAttempt: context.attempt };
    });
  },
  { dependencies: ['test-dependency'], retry: { initialDelayMs: 100, maxDelayMs: 1000 } },
);

/** Always rejects its input. */
const invalid = recordingAgent('test-invalid', async () => {
  throw new ValidationError('the request names no site');
});

/** Sleeps 1.5 s under a 1 s limit: the first attempt times out, the retry (2 s) succeeds. */
const slow = recordingAgent(
  'test-slow',
  async (context) => {
    await sleep(1500, context.signal);
    return { attempt: context.attempt };
  },
  { timeoutSeconds: 1, retry: { initialDelayMs: 50 } },
);

/** Sleeps until cancelled (or 60 s). */
const waiter = recordingAgent('test-wait', async (context) => {
  await sleep(60_000, context.signal);
  return {};
});

/**
 * Runs until the test opens `<REDIS_PREFIX>:test:barrier` (or the step is cancelled): steps kept
 * executing, whatever the machine's speed, while a test does something to the system.
 */
const barrier = recordingAgent('test-barrier', async (context) => {
  while (!(await connection().exists(`${namespace()}:test:barrier`))) await sleep(50, context.signal);
  return { held: true };
});

/** Returns a large output (input.bytes characters). */
const large = recordingAgent('test-large', async (context) => ({
  blob: 'x'.repeat(Number(context.input.bytes ?? 1_000_000)),
}));

/**
 * Fails with a validation error until the test opens its gate: `<REDIS_PREFIX>:test:gate:<workflowId>`,
 * or, for a replay, `<REDIS_PREFIX>:test:gate:replays-of:<original workflowId>` (set before the
 * replay starts: its id is not known until then, and its gate step may run at once).
 */
const gate = recordingAgent('test-gate', async (context) => {
  const keys = [`${namespace()}:test:gate:${context.workflowId}`];
  if (context.replayOf) keys.push(`${namespace()}:test:gate:replays-of:${context.replayOf.workflowId}`);
  // One key at a time: on a Redis Cluster they may live in different slots.
  const isOpen = (await Promise.all(keys.map((key) => connection().exists(key)))).some(
    (found) => found === 1,
  );
  if (!isOpen) throw new ValidationError('the gate is closed');
  return { passed: true };
});

/** Reports the size of every dependency's `blob`, to prove large outputs arrive whole. */
const measure = recordingAgent('test-measure', async (context) => ({
  sizes: Object.fromEntries(
    Object.entries(context.dependencies).map(([stepId, output]) => [
      stepId,
      String((output as { blob?: string }).blob ?? '').length,
    ]),
  ),
}));

/** Returns `input.count` work items, `{ n: 0 }` to `{ n: count - 1 }`, as `items`. */
const items = recordingAgent('test-items', async (context) => ({
  items: Array.from({ length: Number(context.input.count ?? 0) }, (_, n) => ({ n })),
}));

/**
 * A fan-out's sub-step: sleeps `input.itemSleepMs` (or until cancelled), then returns its item.
 * The indexes in `input.failItems` fail with a validation error until the test opens the gate
 * (`<REDIS_PREFIX>:test:gate:<workflowId>`).
 */
const item = recordingAgent('test-item', async (context) => {
  await sleep(Number(context.input.itemSleepMs ?? 0), context.signal);
  const failItems = (context.input.failItems ?? []) as number[];
  if (
    failItems.includes(context.item?.index ?? -1) &&
    !(await connection().exists(`${namespace()}:test:gate:${context.workflowId}`))
  ) {
    throw new ValidationError(`item ${context.item?.index} is refused`);
  }
  return { index: context.item?.index, item: context.item?.value, pid: process.pid };
});

/** A join: the item index of each output of each list it depends on, in the order received. */
const join = recordingAgent('test-join', async (context) => ({
  indexes: Object.fromEntries(
    Object.entries(context.dependencies)
      .filter(([, output]) => Array.isArray(output))
      .map(([stepId, outputs]) => [stepId, (outputs as { index: number }[]).map((output) => output.index)]),
  ),
}));

/** The recorded executions of one step. */
export async function executionsOf(
  redis: RedisClient,
  prefix: string,
  workflowId: string,
  stepId: string,
): Promise<ExecutionRecord[]> {
  return (await redis.lrange(`${prefix}:test:${workflowId}:${stepId}`, 0, -1)).map(
    (entry) => JSON.parse(entry) as ExecutionRecord,
  );
}

export function createAgents(): Agent[] {
  return [echo, flaky, guarded, invalid, slow, waiter, barrier, large, gate, measure, items, item, join];
}

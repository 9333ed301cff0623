import { setTimeout as sleep } from 'node:timers/promises';
import { createAgentWorker } from '@app/agent-sdk/worker';
import { recordingAgent } from './test-agents';

/**
 * An agent service of its own for end-to-end specs: a process that serves, through the worker
 * SDK, the agents named in `WORKER_AGENTS` (`name@version`, comma-separated) and nothing else.
 * Each sleeps `input.sleepMs[stepId]` (default 0) and says which process and version ran it.
 */
const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} must be set`);
  return value;
};

const agents = env('WORKER_AGENTS')
  .split(',')
  .map((spec) => {
    const [name, version] = spec.split('@');
    return recordingAgent(
      name,
      async (context) => {
        const delays = (context.input.sleepMs ?? {}) as Record<string, number>;
        await sleep(delays[context.stepId] ?? 0, undefined, { signal: context.signal });
        return { stepId: context.stepId, version, pid: process.pid };
      },
      { version },
    );
  });

const worker = createAgentWorker({
  redisUrl: env('REDIS_URL'),
  prefix: env('REDIS_PREFIX'),
  agents,
  name: env('WORKER_NAME', 'spec-agent-service'),
  concurrency: 5,
  lockMs: Number(env('WORKER_LOCK_MS', '30000')),
  heartbeatMs: Number(env('WORKER_HEARTBEAT_MS', '5000')),
  cpuPool: { threads: 0 },
});

process.once('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});

void worker.start().then(
  () => console.log(`ready ${worker.id}`),
  (error: unknown) => {
    console.error(String(error));
    process.exit(1);
  },
);

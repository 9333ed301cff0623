import { PublishedAgent } from '@app/contracts';
import { AgentDirectory } from '@app/workflow-store';
import { RedisClient } from '@app/redis';

/**
 * Announces a worker serving these agents in the directory, as a worker process would at start,
 * for specs that run a gateway without one: definitions naming the agents then register.
 */
export async function announceWorker(
  redis: RedisClient,
  prefix: string,
  agents: PublishedAgent[],
  workerId = 'spec-worker',
): Promise<void> {
  await new AgentDirectory(redis, prefix).announce({
    workerId,
    name: 'spec',
    host: 'localhost',
    pid: process.pid,
    startedAt: new Date().toISOString(),
    concurrency: 1,
    heartbeatMs: 60_000,
    agents,
  });
}

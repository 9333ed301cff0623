/** The service's environment, read once at start; a wrong value stops it naming the variable. */
export interface ServiceConfig {
  redisUrl: string;
  /** The deployment's REDIS_PREFIX: the same as the gateway's and orchestrators'. */
  redisPrefix: string;
  /** Steps of the agent run at once in this process. */
  concurrency: number;
  /** Touched while the worker runs; the Kubernetes probes read its age. */
  livenessFile: string;
}

export function readServiceConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  const redisUrl = env.REDIS_URL ?? '';
  if (!/^rediss?:\/\//.test(redisUrl)) throw new Error('REDIS_URL must be a redis:// or rediss:// URL');
  const redisPrefix = env.REDIS_PREFIX ?? 'ao';
  if (!/^[a-zA-Z0-9_-]{1,40}$/.test(redisPrefix))
    throw new Error('REDIS_PREFIX must be 1-40 letters, digits, _ or -');
  const concurrency = Number(env.CONCURRENCY ?? '4');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) {
    throw new Error('CONCURRENCY must be an integer from 1 to 100');
  }
  return {
    redisUrl,
    redisPrefix,
    concurrency,
    livenessFile: env.LIVENESS_FILE ?? '/tmp/agent-service.alive',
  };
}

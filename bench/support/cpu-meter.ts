import Redis from 'ioredis';

/** CPU time spent since a mark, in microseconds: by Redis (all its threads) and by this process. */
export interface RedisAndOwnCpu {
  redisUs: number;
  processUs: number;
}

/**
 * Measures the CPU Redis and this process spend on a piece of work, so a benchmark can say where
 * the time per workflow goes (a closed loop on a shared 2-core machine is bound by the busier one).
 * It asks Redis itself (INFO), so it works for a Redis elsewhere or a cluster's nodes; processes of
 * this machine known by pid are read with CpuReader instead.
 */
export class CpuMeter {
  private readonly redis: Redis;

  constructor(redisUrl: string) {
    this.redis = new Redis(redisUrl);
  }

  /** Starts a measurement; the returned function ends it. */
  async start(): Promise<() => Promise<RedisAndOwnCpu>> {
    const [redisStart, processStart] = [await this.redisCpuSeconds(), process.cpuUsage()];
    return async () => {
      const processSpent = process.cpuUsage(processStart);
      return {
        redisUs: ((await this.redisCpuSeconds()) - redisStart) * 1e6,
        processUs: processSpent.user + processSpent.system,
      };
    };
  }

  close(): Promise<unknown> {
    return this.redis.quit();
  }

  private async redisCpuSeconds(): Promise<number> {
    const info = await this.redis.info('cpu');
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
    return field('used_cpu_user') + field('used_cpu_sys');
  }
}

import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { ServiceConfig } from '@app/config';
import Redis from 'ioredis';

/** Injection token of the app's shared command connection. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/**
 * One ioredis connection. `maxRetriesPerRequest: null` makes commands wait for a Redis that
 * restarts instead of failing, which BullMQ requires and the state machine wants.
 * `autoPipelining` sends the commands issued in one tick as one write: the shared command
 * connection carries every step transition, and one write per command cost the engine a
 * quarter of its CPU under load. Not for subscriber connections.
 */
export function createRedisConnection(url: string, name: string, { autoPipelining = false } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: name,
    enableAutoPipelining: autoPipelining,
  });
}

@Injectable()
class RedisConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [ServiceConfig],
      useFactory: (config: ServiceConfig) =>
        createRedisConnection(config.REDIS_URL, `${config.REDIS_PREFIX}-commands`, { autoPipelining: true }),
    },
    RedisConnectionCloser,
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}

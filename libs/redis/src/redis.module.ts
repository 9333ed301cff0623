import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { ServiceConfig } from '@app/config';
import { createRedisConnection } from './redis-connection';
import { RedisClient } from './redis-connection';

/** Injection token of the app's shared command connection. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

@Injectable()
class RedisConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {}

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

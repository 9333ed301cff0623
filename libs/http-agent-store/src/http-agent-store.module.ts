import { Module } from '@nestjs/common';
import { ServiceConfig } from '@app/config';
import { REDIS_CLIENT, RedisClient } from '@app/redis';
import { HttpAgentRepository } from './http-agent.repository';

/** The {@link HttpAgentRepository} on the app's Redis, under its `REDIS_PREFIX`. */
@Module({
  providers: [
    {
      provide: HttpAgentRepository,
      inject: [REDIS_CLIENT, ServiceConfig],
      useFactory: (redis: RedisClient, config: ServiceConfig) =>
        new HttpAgentRepository(redis, { prefix: config.REDIS_PREFIX }),
    },
  ],
  exports: [HttpAgentRepository],
})
export class HttpAgentStoreModule {}

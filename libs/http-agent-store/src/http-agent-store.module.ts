import { Module } from '@nestjs/common';
import { ServiceConfig } from '@app/config';
import { REDIS_CLIENT } from '@app/redis';
import Redis from 'ioredis';
import { HttpAgentRepository } from './http-agent.repository';

/** The {@link HttpAgentRepository} on the app's Redis, under its `REDIS_PREFIX`. */
@Module({
  providers: [
    {
      provide: HttpAgentRepository,
      inject: [REDIS_CLIENT, ServiceConfig],
      useFactory: (redis: Redis, config: ServiceConfig) =>
        new HttpAgentRepository(redis, { prefix: config.REDIS_PREFIX }),
    },
  ],
  exports: [HttpAgentRepository],
})
export class HttpAgentStoreModule {}

import { Global, Module } from '@nestjs/common';
import { EnvironmentConfig } from '@app/config';
import { REDIS_CLIENT } from '@app/redis';
import Redis from 'ioredis';
import { WorkflowStore } from './workflow-store';

@Global()
@Module({
  providers: [
    {
      provide: WorkflowStore,
      inject: [REDIS_CLIENT, EnvironmentConfig],
      useFactory: (redis: Redis, config: EnvironmentConfig) =>
        new WorkflowStore(redis, {
          prefix: config.REDIS_PREFIX,
          finishedTtlSeconds: config.WORKFLOW_STATE_TTL_HOURS * 3600,
        }),
    },
  ],
  exports: [WorkflowStore],
})
export class WorkflowStoreModule {}

import { Global, Module } from '@nestjs/common';
import { ServiceConfig } from '@app/config';
import { REDIS_CLIENT } from '@app/redis';
import Redis from 'ioredis';
import { WorkflowStore } from './workflow-store';

/** Hours a finished workflow outlives its TTL in Redis, so the archiving job gets several chances. */
export const FINISHED_STATE_GRACE_HOURS = 6;

@Global()
@Module({
  providers: [
    {
      provide: WorkflowStore,
      inject: [REDIS_CLIENT, ServiceConfig],
      useFactory: (redis: Redis, config: ServiceConfig) =>
        new WorkflowStore(redis, {
          prefix: config.REDIS_PREFIX,
          // A safety net only: the hourly retention job archives finished workflows to PostgreSQL
          // and removes them from Redis at WORKFLOW_STATE_TTL_HOURS, well before this expiry.
          finishedTtlSeconds: (config.WORKFLOW_STATE_TTL_HOURS + FINISHED_STATE_GRACE_HOURS) * 3600,
        }),
    },
  ],
  exports: [WorkflowStore],
})
export class WorkflowStoreModule {}

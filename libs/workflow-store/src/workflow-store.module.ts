import { Global, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ServiceConfig } from '@app/config';
import { REDIS_CLIENT, createRedisConnection, RedisClient } from '@app/redis';
import { FairShare, FlowControlKeys, FlowControlRedis } from '@app/flow-control';
import { AgentDirectory } from './agent-directory';
import { StepQueuePartitions } from './step-queue-partitions';
import { StepQueues } from './step-queues';
import { FINISHED_STATE_GRACE_HOURS, WorkflowStore } from './workflow-store';

@Injectable()
class StepQueuesCloser implements OnApplicationShutdown {
  constructor(private readonly queues: StepQueues) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queues.close();
  }
}

/** The workflow store, the agent directory and the agents' step queues, for an app's services. */
@Global()
@Module({
  providers: [
    {
      provide: WorkflowStore,
      inject: [REDIS_CLIENT, ServiceConfig],
      useFactory: async (redis: RedisClient, config: ServiceConfig) => {
        const store = new WorkflowStore(redis, {
          prefix: config.REDIS_PREFIX,
          // A safety net only: the hourly retention job archives finished workflows to PostgreSQL
          // and removes them from Redis at WORKFLOW_STATE_TTL_HOURS, well before this expiry.
          finishedTtlSeconds: (config.WORKFLOW_STATE_TTL_HOURS + FINISHED_STATE_GRACE_HOURS) * 3600,
        });
        const logger = new Logger('WorkflowStoreFormat');
        await store.ensureFormat((message) => logger.log(message), config.STEP_QUEUE_PARTITIONS);
        return store;
      },
    },
    {
      provide: AgentDirectory,
      inject: [REDIS_CLIENT, ServiceConfig],
      useFactory: (redis: RedisClient, config: ServiceConfig) =>
        new AgentDirectory(redis, config.REDIS_PREFIX),
    },
    {
      provide: StepQueues,
      inject: [ServiceConfig, AgentDirectory, WorkflowStore, REDIS_CLIENT],
      useFactory: (
        config: ServiceConfig,
        directory: AgentDirectory,
        store: WorkflowStore,
        redis: RedisClient,
      ) =>
        new StepQueues(
          createRedisConnection(config.REDIS_URL, `${config.REDIS_PREFIX}-step-queues`),
          config.REDIS_PREFIX,
          new StepQueuePartitions(redis, store.keys),
          { directory, store },
          new FairShare(new FlowControlRedis(redis), new FlowControlKeys(config.REDIS_PREFIX)),
        ),
    },
    StepQueuesCloser,
  ],
  exports: [WorkflowStore, AgentDirectory, StepQueues],
})
export class WorkflowStoreModule {}

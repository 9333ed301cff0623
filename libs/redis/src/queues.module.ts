import { DynamicModule, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { ServiceConfig } from '@app/config';
import { queueKeyPrefix } from '@app/contracts';
import { QueueConnection, createQueueConnection } from './redis-connection';

/** The app's BullMQ connection (see createQueueConnection), closed after its queues and workers. */
@Injectable()
class AppQueueConnection implements OnApplicationShutdown {
  readonly queues: QueueConnection;

  constructor(config: ServiceConfig) {
    this.queues = createQueueConnection(config.REDIS_URL, `${config.REDIS_PREFIX}-queues`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queues.close();
  }
}

@Module({ providers: [AppQueueConnection], exports: [AppQueueConnection] })
class AppQueueConnectionModule {}

/**
 * BullMQ on the app's Redis, and the given queues registered for injection. Each queue is
 * declared in libs/contracts and consumed by exactly one app.
 */
@Module({})
export class QueuesModule {
  static forRoot(queueNames: string[]): DynamicModule {
    return {
      module: QueuesModule,
      global: true,
      imports: [
        BullModule.forRootAsync({
          imports: [AppQueueConnectionModule],
          inject: [AppQueueConnection],
          useFactory: ({ queues }: AppQueueConnection) => ({ connection: queues.connection }),
        }),
        registerQueues(...queueNames),
      ],
      exports: [BullModule],
    };
  }
}

/**
 * Registers queues for injection (and @Processor workers), each under its own key prefix with
 * its name as hash tag (queueKeyPrefix). Modules register their queues only through this.
 */
export function registerQueues(...queueNames: string[]): DynamicModule {
  return BullModule.registerQueueAsync(
    ...queueNames.map((name) => ({
      name,
      inject: [ServiceConfig],
      useFactory: (config: ServiceConfig) => ({ prefix: queueKeyPrefix(config.REDIS_PREFIX, name) }),
    })),
  );
}

import { DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { ServiceConfig } from '@app/config';

/**
 * BullMQ on the app's Redis, every queue under `REDIS_PREFIX`, and the given queues registered
 * for injection. Each queue is declared in libs/contracts and consumed by exactly one app.
 */
@Module({})
export class QueuesModule {
  static forRoot(queueNames: string[]): DynamicModule {
    return {
      module: QueuesModule,
      global: true,
      imports: [
        BullModule.forRootAsync({
          inject: [ServiceConfig],
          useFactory: (config: ServiceConfig) => ({
            // Wait for a restarting Redis instead of failing commands (BullMQ requires it for workers).
            connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
            prefix: config.REDIS_PREFIX,
          }),
        }),
        BullModule.registerQueue(...queueNames.map((name) => ({ name }))),
      ],
      exports: [BullModule],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { ServiceConfig } from '@app/config';
import { redisOptionsOf } from './redis-connection';

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
            // Its own connections, waiting for a restarting Redis instead of failing commands
            // (BullMQ requires it for workers).
            connection: redisOptionsOf(config.REDIS_URL, `${config.REDIS_PREFIX}-queues`),
            prefix: config.REDIS_PREFIX,
          }),
        }),
        BullModule.registerQueue(...queueNames.map((name) => ({ name }))),
      ],
      exports: [BullModule],
    };
  }
}

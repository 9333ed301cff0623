import { Module } from '@nestjs/common';
import { ManagedQueues } from './managed-queues';
import { QueuesController } from './queues.controller';
import { QueuesService } from './queues.service';

/** Admin control of the BullMQ queues; ObservabilityModule imports it for the readiness check. */
@Module({
  controllers: [QueuesController],
  providers: [ManagedQueues, QueuesService],
  exports: [ManagedQueues],
})
export class QueueAdminModule {}

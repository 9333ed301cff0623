import { Module } from '@nestjs/common';
import { managedQueuesProvider, MANAGED_QUEUES } from './managed-queues';
import { QueuesController } from './queues.controller';
import { QueuesService } from './queues.service';

/** Admin control of the BullMQ queues; ObservabilityModule imports it for the readiness check. */
@Module({
  controllers: [QueuesController],
  providers: [managedQueuesProvider, QueuesService],
  exports: [MANAGED_QUEUES],
})
export class QueueAdminModule {}

import { Module } from '@nestjs/common';
import { registerQueues } from '@app/redis';
import { GATEWAY_BULK_ACTIONS_QUEUE } from '@app/contracts';
import { WorkflowsModule } from '../workflows/workflows.module';
import { BulkActionRunner } from './bulk-action.runner';
import { BulkActionsController } from './bulk-actions.controller';
import { BulkActionsProcessor } from './bulk-actions.processor';
import { BulkActionsService } from './bulk-actions.service';
import { BulkProgressGateway } from './bulk-progress.gateway';

/**
 * Cancel, retry or replay many workflows at once, as a background job of the gateway's own queue
 * (any replica runs it) that reports its progress to the caller's sockets.
 */
@Module({
  imports: [registerQueues(GATEWAY_BULK_ACTIONS_QUEUE), WorkflowsModule],
  controllers: [BulkActionsController],
  providers: [BulkActionsService, BulkActionRunner, BulkActionsProcessor, BulkProgressGateway],
})
export class BulkActionsModule {}

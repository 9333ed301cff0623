import { Module } from '@nestjs/common';
import { WorkflowsModule } from '../workflows/workflows.module';
import { SocketRateLimiter } from './socket-rate-limiter.service';
import { WorkflowEventRelay } from './workflow-event-relay.service';
import { WorkflowEventsGateway } from './workflow-events.gateway';

@Module({
  imports: [WorkflowsModule],
  providers: [WorkflowEventsGateway, WorkflowEventRelay, SocketRateLimiter],
})
export class RealtimeModule {}

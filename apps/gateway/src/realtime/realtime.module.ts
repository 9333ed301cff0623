import { Module } from '@nestjs/common';
import { WorkflowsModule } from '../workflows/workflows.module';
import { SOCKET_METRIC_PROVIDERS, SocketMetrics } from './socket.metrics';
import { SocketRateLimiter } from './socket-rate-limiter.service';
import { StepTokensGateway } from './step-tokens.gateway';
import { WorkflowEventRelay } from './workflow-event-relay.service';
import { WorkflowEventsGateway } from './workflow-events.gateway';
import { WorkflowRunsFeed } from './workflow-runs-feed.service';

@Module({
  imports: [WorkflowsModule],
  providers: [
    WorkflowEventsGateway,
    StepTokensGateway,
    WorkflowEventRelay,
    WorkflowRunsFeed,
    SocketRateLimiter,
    SocketMetrics,
    ...SOCKET_METRIC_PROVIDERS,
  ],
})
export class RealtimeModule {}

import { Module } from '@nestjs/common';
import { ConfigModule, OrchestratorConfig } from '@app/config';
import { ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE, ORCHESTRATOR_MAINTENANCE_QUEUE } from '@app/contracts';
import { EventLoopHealthIndicator, ObservabilityModule } from '@app/observability';
import { QueuesModule, RedisHealthIndicator, RedisModule } from '@app/redis';
import { WorkflowStoreModule } from '@app/workflow-store';
import { HttpAgentsModule } from './http-agents/http-agents.module';
import { WorkflowsModule } from './workflows/workflows.module';

/**
 * A worker host for the built-in agents, another for the registered HTTP agents, and the
 * maintenance that heals stuck workflows, and the approval steps' deadlines.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ schema: OrchestratorConfig }),
    RedisModule,
    QueuesModule.forRoot([ORCHESTRATOR_MAINTENANCE_QUEUE, ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE]),
    WorkflowStoreModule,
    ObservabilityModule.forRoot({
      service: 'orchestrator',
      indicators: [RedisHealthIndicator, EventLoopHealthIndicator],
    }),
    WorkflowsModule,
    HttpAgentsModule,
  ],
})
export class OrchestratorModule {}

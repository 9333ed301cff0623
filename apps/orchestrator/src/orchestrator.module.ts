import { Module } from '@nestjs/common';
import { ConfigModule, OrchestratorConfig } from '@app/config';
import {
  METRICS_EXECUTIONS_QUEUE,
  METRICS_LOGS_QUEUE,
  WORKFLOW_STEPS_QUEUE,
  ORCHESTRATOR_MAINTENANCE_QUEUE,
} from '@app/contracts';
import { EventLoopHealthIndicator, ObservabilityModule } from '@app/observability';
import { QueuesModule, RedisHealthIndicator, RedisModule } from '@app/redis';
import { WorkflowStoreModule } from '@app/workflow-store';
import { WorkflowsModule } from './workflows/workflows.module';

/** The queue workers: the workflow state machine and the agent steps. */
@Module({
  imports: [
    ConfigModule.forRoot({ schema: OrchestratorConfig }),
    RedisModule,
    QueuesModule.forRoot([
      WORKFLOW_STEPS_QUEUE,
      ORCHESTRATOR_MAINTENANCE_QUEUE,
      METRICS_LOGS_QUEUE,
      METRICS_EXECUTIONS_QUEUE,
    ]),
    WorkflowStoreModule,
    ObservabilityModule.forRoot({
      service: 'orchestrator',
      indicators: [RedisHealthIndicator, EventLoopHealthIndicator],
    }),
    WorkflowsModule,
  ],
})
export class OrchestratorModule {}

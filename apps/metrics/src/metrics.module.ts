import { Module } from '@nestjs/common';
import { ConfigModule, MetricsConfig } from '@app/config';
import {
  METRICS_EXECUTIONS_QUEUE,
  METRICS_LLM_CALLS_QUEUE,
  METRICS_LOGS_QUEUE,
  METRICS_MAINTENANCE_QUEUE,
} from '@app/contracts';
import { ObservabilityModule, PostgresHealthIndicator } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { QueuesModule, RedisHealthIndicator, RedisModule } from '@app/redis';
import { WorkflowStoreModule } from '@app/workflow-store';
import { AgentExecutionsModule } from './agent-executions/agent-executions.module';
import { LlmCallsModule } from './llm-calls/llm-calls.module';
import { LogsModule } from './logs/logs.module';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { WorkflowRunsModule } from './workflow-runs/workflow-runs.module';

/**
 * Log, metric and language-model usage persistence in PostgreSQL, the workflow projection, the
 * metrics of `GET /metrics`, and retention.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ schema: MetricsConfig }),
    RedisModule,
    PersistenceModule.forRoot('metrics'),
    QueuesModule.forRoot([
      METRICS_LOGS_QUEUE,
      METRICS_EXECUTIONS_QUEUE,
      METRICS_LLM_CALLS_QUEUE,
      METRICS_MAINTENANCE_QUEUE,
    ]),
    WorkflowStoreModule,
    ObservabilityModule.forRoot({
      service: 'metrics',
      indicators: [RedisHealthIndicator, PostgresHealthIndicator],
    }),
    LogsModule,
    AgentExecutionsModule,
    LlmCallsModule,
    MaintenanceModule,
    WorkflowRunsModule,
  ],
})
export class MetricsModule {}

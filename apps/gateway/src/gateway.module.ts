import { Module } from '@nestjs/common';
import { ConfigModule, GatewayConfig } from '@app/config';
import { METRICS_EXECUTIONS_QUEUE, METRICS_LOGS_QUEUE } from '@app/contracts';
import { ObservabilityModule, PostgresHealthIndicator } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { QueuesModule, RedisHealthIndicator, RedisModule } from '@app/redis';
import { WorkflowStoreModule } from '@app/workflow-store';
import { AdminModule } from './admin/admin.module';
import { AgentsModule } from './agents/agents.module';
import { AuthModule } from './auth/auth.module';
import { BudgetsModule } from './budgets/budgets.module';
import { BulkActionsModule } from './bulk-actions/bulk-actions.module';
import { GatewayMetricsModule } from './prometheus/gateway-metrics.module';
import { HttpAgentsModule } from './http-agents/http-agents.module';
import { MetricsTrendsModule } from './metrics/metrics-trends.module';
import { QueueBoardModule } from './queue-board/queue-board.module';
import { QueueAdminModule } from './queues/queues.module';
import { QueuesHealthIndicator } from './queues/queues.health';
import { RealtimeModule } from './realtime/realtime.module';
import { SitesModule } from './sites/sites.module';
import { UsageModule } from './usage/usage.module';
import { WorkflowsModule } from './workflows/workflows.module';

/** REST and Socket.IO for clients: starts workflows, answers queries, relays events. */
@Module({
  imports: [
    ConfigModule.forRoot({ schema: GatewayConfig }),
    RedisModule,
    QueuesModule.forRoot([METRICS_LOGS_QUEUE, METRICS_EXECUTIONS_QUEUE]),
    WorkflowStoreModule,
    PersistenceModule.forRoot('gateway'),
    ObservabilityModule.forRoot({
      service: 'gateway',
      indicators: [RedisHealthIndicator, PostgresHealthIndicator, QueuesHealthIndicator],
      imports: [QueueAdminModule],
    }),
    AuthModule,
    QueueAdminModule,
    WorkflowsModule,
    BulkActionsModule,
    AgentsModule,
    HttpAgentsModule,
    MetricsTrendsModule,
    UsageModule,
    AdminModule,
    BudgetsModule,
    RealtimeModule,
    SitesModule,
    GatewayMetricsModule,
    QueueBoardModule,
  ],
})
export class GatewayModule {}

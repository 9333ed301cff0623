import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { WORKFLOWS_QUEUE } from '@app/contracts';
import { ObservabilityModule, PostgresHealthIndicator } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { QueuesModule, RedisHealthIndicator, RedisModule } from '@app/redis';
import { WorkflowStoreModule } from '@app/workflow-store';
import { RealtimeModule } from './realtime/realtime.module';
import { WorkflowsModule } from './workflows/workflows.module';

/** REST and Socket.IO for clients: starts workflows, answers queries, relays events. */
@Module({
  imports: [
    ConfigModule.forRoot({ defaultPort: 3000 }),
    RedisModule,
    QueuesModule.forRoot([WORKFLOWS_QUEUE]),
    WorkflowStoreModule,
    PersistenceModule.forRoot('gateway'),
    ObservabilityModule.forRoot({
      service: 'gateway',
      indicators: [RedisHealthIndicator, PostgresHealthIndicator],
    }),
    WorkflowsModule,
    RealtimeModule,
  ],
})
export class GatewayModule {}

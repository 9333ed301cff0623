import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { METRICS_LOGS_QUEUE } from '@app/contracts';
import { ObservabilityModule, PostgresHealthIndicator } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { QueuesModule, RedisHealthIndicator, RedisModule } from '@app/redis';
import { LogsModule } from './logs/logs.module';

/** Log and metric persistence in PostgreSQL. */
@Module({
  imports: [
    ConfigModule.forRoot({ defaultPort: 3002 }),
    RedisModule,
    PersistenceModule.forRoot('metrics'),
    QueuesModule.forRoot([METRICS_LOGS_QUEUE]),
    ObservabilityModule.forRoot({
      service: 'metrics',
      indicators: [RedisHealthIndicator, PostgresHealthIndicator],
    }),
    LogsModule,
  ],
})
export class MetricsModule {}

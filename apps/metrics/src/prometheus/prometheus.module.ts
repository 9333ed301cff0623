import { Module } from '@nestjs/common';
import { DatabaseMetrics } from './database-metrics.service';

@Module({ providers: [DatabaseMetrics] })
export class PrometheusMetricsModule {}

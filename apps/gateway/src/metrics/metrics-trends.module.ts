import { Module } from '@nestjs/common';
import { MetricsTrendsController } from './metrics-trends.controller';
import { MetricsTrendsService } from './metrics-trends.service';

@Module({ controllers: [MetricsTrendsController], providers: [MetricsTrendsService] })
export class MetricsTrendsModule {}

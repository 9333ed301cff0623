import { Injectable } from '@nestjs/common';
import { MetricsTrends, MetricsTrendsQuery } from '@app/contracts';
import { AgentExecutionsRepository } from '@app/persistence';
import { checkTrendRange } from './time-range';

@Injectable()
export class MetricsTrendsService {
  constructor(private readonly executions: AgentExecutionsRepository) {}

  trends(query: MetricsTrendsQuery): Promise<MetricsTrends> {
    checkTrendRange(query);
    return this.executions.getMetricsTrends(query);
  }
}

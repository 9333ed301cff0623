import { Injectable } from '@nestjs/common';
import { MetricsTrends, MetricsTrendsQuery } from '@app/contracts';
import { AgentExecutionsRepository } from '@app/persistence';
import { checkTrendRange, resolveTrendRange } from './time-range';

@Injectable()
export class MetricsTrendsService {
  constructor(private readonly executions: AgentExecutionsRepository) {}

  /** The trends over the range asked for, or over the last 24 hours; the answer says which range. */
  trends(query: MetricsTrendsQuery): Promise<MetricsTrends> {
    const range = resolveTrendRange(query, new Date());
    checkTrendRange(range);
    return this.executions.getMetricsTrends(range);
  }
}

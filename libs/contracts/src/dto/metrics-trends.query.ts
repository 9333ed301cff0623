import { IsIn, IsOptional } from 'class-validator';
import type { TrendInterval } from '../agent-metrics';
import { TimeRangeQuery } from './time-range.query';

/**
 * Query of `GET /metrics/trends`: the range [from, to) in buckets of an hour or a day (UTC).
 * Without `to`, up to now; without `from`, the 24 hours before `to`. The answer carries the range
 * it used. The service also checks that `from` is before `to` and that the range is not too long.
 */
export class MetricsTrendsQuery extends TimeRangeQuery {
  @IsOptional()
  @IsIn(['hour', 'day'], { message: 'interval must be hour or day' })
  interval: TrendInterval = 'hour';
}

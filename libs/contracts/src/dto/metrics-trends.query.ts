import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { TrendInterval } from '../agent-metrics';

/**
 * Query of `GET /metrics/trends`: the range [from, to) in buckets of an hour or a day (UTC).
 * The service also checks that `from` is before `to` and that the range is not too long.
 */
export class MetricsTrendsQuery {
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 date' })
  from!: string;

  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 date' })
  to!: string;

  @IsOptional()
  @IsIn(['hour', 'day'], { message: 'interval must be hour or day' })
  interval: TrendInterval = 'hour';
}

import { IsISO8601, IsOptional } from 'class-validator';

/** Query of `GET /agents/metrics`: all time, or executions finished in [from, to). */
export class AgentMetricsQuery {
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 date' })
  from?: string;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 date' })
  to?: string;
}

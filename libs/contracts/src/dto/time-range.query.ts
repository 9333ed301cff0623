import { IsISO8601, IsOptional } from 'class-validator';

/** An optional range of instants [from, to) in a query, each ISO-8601. */
export class TimeRangeQuery {
  /** At or after this instant. */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 date' })
  from?: string;

  /** Before this instant. */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 date' })
  to?: string;
}

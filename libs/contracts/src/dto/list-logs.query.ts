import { Type } from 'class-transformer';
import { IsEnum, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { LogLevel } from '../workflow.enums';
import { TimeRangeQuery } from './time-range.query';

export enum LogOrder {
  Oldest = 'oldest',
  Newest = 'newest',
}

/**
 * Query of `GET /workflows/:id/logs`: filters, and keyset pages on (timestamp, id). Pass the
 * `nextCursor` of a page as `cursor` (with the same filters and order) for the next one; entries
 * written meanwhile never shift a page, so none is seen twice or skipped. `from` and `to` bound
 * the entries' timestamps.
 */
export class ListLogsQuery extends TimeRangeQuery {
  @IsOptional()
  @IsEnum(LogLevel)
  level?: LogLevel;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  agent?: string;

  /** Entries whose message contains this text, ignoring case. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  @IsOptional()
  @IsEnum(LogOrder)
  order: LogOrder = LogOrder.Oldest;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;
}

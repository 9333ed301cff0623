import { Type } from 'class-transformer';
import {
  IsEnum,
  IsISO8601,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { LogLevel } from '../workflow.enums';

export enum LogOrder {
  Oldest = 'oldest',
  Newest = 'newest',
}

/**
 * Query of `GET /workflows/:id/logs`: filters, and keyset pages on (timestamp, id). Pass the
 * `nextCursor` of a page as `cursor` (with the same filters and order) for the next one; entries
 * written meanwhile never shift a page, so none is seen twice or skipped.
 */
export class ListLogsQuery {
  @IsOptional()
  @IsEnum(LogLevel)
  level?: LogLevel;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  agent?: string;

  /** Entries at or after this instant (ISO-8601). */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 date' })
  from?: string;

  /** Entries before this instant (ISO-8601). */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 date' })
  to?: string;

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
  limit = 100;
}

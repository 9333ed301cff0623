import { IsEnum, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { WorkflowStatus } from '../workflow.enums';
import { TimeRangeQuery } from './time-range.query';

/**
 * Which workflows: those of `GET /workflows` and of a bulk action by filter. `from` and `to`
 * bound the creation time.
 */
export class WorkflowFilter extends TimeRangeQuery {
  @IsOptional()
  @IsEnum(WorkflowStatus)
  status?: WorkflowStatus;

  /** Only workflows of this type. */
  @IsOptional()
  @Matches(/^[A-Z][A-Z0-9_]{0,99}$/, { message: 'type must be an UPPER_SNAKE_CASE workflow type' })
  type?: string;

  /** Only this tenant's workflows (admins; a client key always lists its own tenant). */
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,99}$/, { message: 'tenantId must be a tenant id' })
  tenantId?: string;

  /** Workflows whose input or error contains this text, ignoring case. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

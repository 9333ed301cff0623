import { Type } from 'class-transformer';
import { IsEnum, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { WorkflowStatus } from '../workflow.enums';

/** Query of `GET /workflows`: newest first, paged by offset. */
export class ListWorkflowsQuery {
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

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset: number = 0;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;
}

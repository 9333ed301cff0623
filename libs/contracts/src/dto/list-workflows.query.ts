import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { WorkflowFilter } from './workflow-filter';

/**
 * Query of `GET /workflows`: filters, newest first, keyset pages on (createdAt, workflowId). Pass
 * the `nextCursor` of a page as `cursor` (with the same filters) for the next one; workflows
 * started meanwhile never shift a page.
 */
export class ListWorkflowsQuery extends WorkflowFilter {
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;
}

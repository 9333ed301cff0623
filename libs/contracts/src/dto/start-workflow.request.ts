import { Type } from 'class-transformer';
import {
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { WorkflowBudgetRequest } from './workflow-budget.request';

/** Body of `POST /workflows`. `type` is checked against the registered definitions by the service. */
export class StartWorkflowRequest {
  /** A registered workflow type, such as CREATE_SITE. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  type!: string;

  /**
   * What the workflow works on, e.g. `{ "request": "Create a portfolio website" }`. Checked
   * against the type's `inputSchema` before anything is recorded: 422 with every wrong field.
   */
  @IsObject()
  input!: Record<string, unknown>;

  /** The website builder's session; memory is kept per session. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  sessionId!: string;

  /**
   * The session's preferences (the website builder reads theme, primaryColor, font and tone). With
   * `approvePlan: true`, CREATE_SITE and UPDATE_SITE wait after the planner for a person to approve
   * the plan (step `approve-plan`; an approval's `payload.spec` edits it).
   */
  @IsOptional()
  @IsObject()
  preferences?: Record<string, unknown>;

  /**
   * 1 (first) to 5 (last), default 3: orders this workflow's steps against the tenant's other
   * queued steps. Between tenants the queues are shared fairly (round-robin) whatever the priority.
   */
  @IsOptional()
  @IsInt({ message: 'priority must be an integer from 1 to 5' })
  @Min(1, { message: 'priority must be an integer from 1 to 5' })
  @Max(5, { message: 'priority must be an integer from 1 to 5' })
  priority?: number;

  /**
   * The workflow's own token and cost budget, e.g. `{ "tokens": 20000, "costUsd": 0.5 }`: once its
   * model calls have spent either, its next step waits for an admin to raise it (or a cancel).
   * The tenant's and the agents' daily budgets hold as well.
   */
  @IsOptional()
  @IsObject({ message: 'budget must be an object with tokens and/or costUsd' })
  @ValidateNested()
  @Type(() => WorkflowBudgetRequest)
  budget?: WorkflowBudgetRequest;
}

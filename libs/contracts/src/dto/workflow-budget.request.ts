import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';

/**
 * A workflow's own budget (`budget` of `POST /workflows`): what its language-model calls may spend
 * over its whole run, prompt plus completion tokens and USD at the deployment's prices. A step
 * that would begin once either is spent waits (READY, `waitingFor` saying so) until an admin
 * raises it (`PUT /admin/budgets/workflows/:id`) or the workflow is cancelled; a call already
 * running finishes.
 */
export class WorkflowBudgetRequest {
  /** Tokens the workflow may spend, a whole number of 1 or more. */
  @IsOptional()
  @IsInt({ message: 'budget.tokens must be a whole number of tokens' })
  @Min(1, { message: 'budget.tokens must be 1 or more' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'budget.tokens is too large' })
  tokens?: number;

  /** USD the workflow may spend, more than 0. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'budget.costUsd must be a number of USD' })
  @Min(0.000001, { message: 'budget.costUsd must be more than 0' })
  costUsd?: number;
}

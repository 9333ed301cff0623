import { IsInt, IsNumber, IsOptional, Min, ValidateIf } from 'class-validator';

/**
 * Body of `PUT /admin/budgets/:scope/:subject`: the whole budget, replacing the one set before.
 * Each limit is a number, `null` for no limit (whatever the deployment's default), or left out
 * for the default (`BUDGETS`). 0 stops the subject's next steps at once.
 */
export class SetBudgetRequest {
  /** Prompt plus completion tokens per period (a UTC day for a tenant or an agent; a workflow's whole run). */
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt({ message: 'tokens must be a whole number of tokens, or null for no limit' })
  @Min(0, { message: 'tokens must be 0 or more, or null for no limit' })
  tokens?: number | null;

  /** USD per period, at the deployment's prices. */
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsNumber(
    { allowNaN: false, allowInfinity: false },
    { message: 'costUsd must be a number of USD, or null for no limit' },
  )
  @Min(0, { message: 'costUsd must be 0 or more, or null for no limit' })
  costUsd?: number | null;
}

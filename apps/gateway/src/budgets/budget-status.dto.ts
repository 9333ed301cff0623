import type { BudgetScope } from '@app/flow-control';

/** Limits in force; null is no limit. */
export class BudgetLimits {
  tokens!: number | null;
  costUsd!: number | null;
}

/** What was spent in the period. */
export class BudgetSpend {
  tokens!: number;
  costUsd!: number;
}

/** A budget and its spend now. Answer of `GET` and `PUT /admin/budgets/:scope/:subject`. */
export class BudgetStatus {
  /** workflow (its whole run), tenant or agent (per UTC day). */
  scope!: BudgetScope;
  /** The workflow id, tenant id or agent name. */
  subject!: string;
  /** The UTC day the spend is of (YYYY-MM-DD), or `all` for a workflow. */
  period!: string;
  /** What is in force: an admin's limits, else the deployment's defaults (`BUDGETS`). */
  limit!: BudgetLimits;
  spent!: BudgetSpend;
  /** Whether a step of it would wait now: a limit is reached. */
  isExhausted!: boolean;
  /** Step jobs this change woke (PUT only): they ask the admission gate again at once. */
  wokenSteps?: number;
}

/** Who a budget is kept for: one workflow (its whole run), one tenant per UTC day, one agent per UTC day. */
export type BudgetScope = 'workflow' | 'tenant' | 'agent';

export const BUDGET_SCOPES: readonly BudgetScope[] = ['workflow', 'tenant', 'agent'];

/** Each scope as the admin routes spell it: `/admin/budgets/tenants/acme`. */
export const BUDGET_SCOPE_PATHS: Readonly<Record<string, BudgetScope>> = {
  workflows: 'workflow',
  tenants: 'tenant',
  agents: 'agent',
};

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

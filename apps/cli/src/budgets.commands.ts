import { BUDGET_SCOPE_PATHS, type BudgetStatus } from '@app/contracts';
import { CliContext } from './cli-context';
import { CliError, ExitCode } from './cli-error';

/** `budgets get <scope> <subject>`: a budget in force and what was spent against it (admin keys). */
export async function budgetCommand(context: CliContext, scope: string, subject: string): Promise<ExitCode> {
  const { client } = await context.connect();
  context.output.list([await client.budget(checkedScope(scope), subject)], budgetColumns);
  return ExitCode.Ok;
}

/**
 * `budgets set <scope> <subject> [--tokens N|none] [--cost-usd X|none]`: replaces the budget (a
 * limit left out goes back to the deployment's default, `none` lifts it) and wakes the steps that
 * waited for it.
 */
export async function setBudgetCommand(
  context: CliContext,
  scope: string,
  subject: string,
  options: { tokens?: string; costUsd?: string },
): Promise<ExitCode> {
  const body = {
    ...(options.tokens === undefined ? {} : { tokens: limitOf(options.tokens, '--tokens') }),
    ...(options.costUsd === undefined ? {} : { costUsd: limitOf(options.costUsd, '--cost-usd') }),
  };
  const { client } = await context.connect();
  const status = await client.setBudget(checkedScope(scope), subject, body);
  context.output.list([status], { ...budgetColumns, woken: (budget) => budget.wokenSteps ?? 0 });
  return ExitCode.Ok;
}

function checkedScope(scope: string): string {
  if (scope in BUDGET_SCOPE_PATHS) return scope;
  throw new CliError(
    `unknown scope "${scope}": use ${Object.keys(BUDGET_SCOPE_PATHS).join(', ')}`,
    ExitCode.Usage,
  );
}

/** A limit as the API takes it: a number, or null for `none` (no limit, whatever the default). */
function limitOf(value: string, option: string): number | null {
  if (value === 'none') return null;
  const number = Number(value);
  // Checked here: NaN would travel as JSON null, which lifts the limit.
  if (value.trim() === '' || !Number.isFinite(number)) {
    throw new CliError(`${option} must be a number or "none"; got "${value}"`, ExitCode.Usage);
  }
  return number;
}

const limitText = (value: number | null) => (value === null ? 'none' : String(value));

const budgetColumns = {
  scope: (budget: BudgetStatus) => budget.scope,
  subject: (budget: BudgetStatus) => budget.subject,
  period: (budget: BudgetStatus) => budget.period,
  tokens: (budget: BudgetStatus) => `${budget.spent.tokens}/${limitText(budget.limit.tokens)}`,
  'cost USD': (budget: BudgetStatus) => `${budget.spent.costUsd}/${limitText(budget.limit.costUsd)}`,
  exhausted: (budget: BudgetStatus) => (budget.isExhausted ? 'yes' : 'no'),
};

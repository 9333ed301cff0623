// The scopes are the API's (the admin routes name them): declared with its answers.
export { BUDGET_SCOPES, type BudgetScope } from '@app/contracts';

/** A budget's limits; a limit left out is no limit. Tokens are prompt plus completion tokens. */
export interface BudgetLimit {
  tokens?: number;
  costUsd?: number;
}

/**
 * A deployment's default budgets (`BUDGETS`), for every tenant and agent an admin set nothing
 * for: `{"tenantDaily": {"tokens": 1000000, "costUsd": 20}, "agentDaily": {"costUsd": 50}}`.
 */
export interface BudgetDefaults {
  tenantDaily?: BudgetLimit;
  agentDaily?: BudgetLimit;
}

const DEFAULT_KEYS = ['tenantDaily', 'agentDaily'] as const;
const LIMIT_KEYS = ['tokens', 'costUsd'] as const;

/**
 * Reads `BUDGETS` (JSON), throwing with what is wrong: an unknown key, a limit that is not a
 * number of 0 or more, tokens that are not whole. Empty or absent: no defaults.
 */
export function parseBudgetDefaults(raw: string | undefined): BudgetDefaults {
  if (!raw || raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('BUDGETS must be JSON, e.g. {"tenantDaily":{"tokens":1000000,"costUsd":20}}');
  }
  if (!isPlainObject(parsed)) throw new Error('BUDGETS must be a JSON object');
  const defaults: BudgetDefaults = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(DEFAULT_KEYS as readonly string[]).includes(key))
      throw new Error(`BUDGETS has an unknown key "${key}" (known: ${DEFAULT_KEYS.join(', ')})`);
    defaults[key as (typeof DEFAULT_KEYS)[number]] = budgetLimitOf(value, `BUDGETS: ${key}`);
  }
  return defaults;
}

function budgetLimitOf(value: unknown, where: string): BudgetLimit {
  if (!isPlainObject(value)) throw new Error(`${where} must be an object with tokens and/or costUsd`);
  const limit: BudgetLimit = {};
  for (const [key, number] of Object.entries(value)) {
    if (!(LIMIT_KEYS as readonly string[]).includes(key))
      throw new Error(`${where} has an unknown key "${key}" (known: ${LIMIT_KEYS.join(', ')})`);
    if (typeof number !== 'number' || !Number.isFinite(number) || number < 0)
      throw new Error(`${where}.${key} must be a number of 0 or more; got ${JSON.stringify(number)}`);
    if (key === 'tokens' && !Number.isInteger(number))
      throw new Error(`${where}.tokens must be a whole number; got ${number}`);
    limit[key as (typeof LIMIT_KEYS)[number]] = number;
  }
  return limit;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

import { STEP_LIMIT_KEY_FIELDS, StepLimit } from '@app/contracts';

/** A limit's name: what overrides and metrics call it. */
const LIMIT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/i;
/** `input.` and dot-separated keys after it, as a definition's `forEach.path`. */
const INPUT_PATH_PATTERN = /^input(\.[A-Za-z0-9_$-]{1,100}){1,10}$/;

const isPositive = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;

/** What is wrong with a key field, or null. */
export function keyFieldProblem(field: unknown): string | null {
  if (typeof field !== 'string') return `key field ${JSON.stringify(field)} is not a string`;
  if ((STEP_LIMIT_KEY_FIELDS as readonly string[]).includes(field) || INPUT_PATH_PATTERN.test(field))
    return null;
  return `key field "${field}" is unknown (use ${STEP_LIMIT_KEY_FIELDS.join(', ')} or input.<path>)`;
}

/** What is wrong with one limit's numbers, or null; `rate`/`concurrency` given as in the limit. */
export function limitNumbersProblem(limit: Pick<StepLimit, 'rate' | 'concurrency'>): string | null {
  const { rate, concurrency } = limit;
  if (rate === undefined && concurrency === undefined) return 'sets neither rate nor concurrency';
  if (rate !== undefined) {
    if (!isPositive(rate.requests))
      return `rate.requests must be a number above 0, not ${String(rate.requests)}`;
    if (!isPositive(rate.periodSeconds))
      return `rate.periodSeconds must be a number above 0, not ${String(rate.periodSeconds)}`;
    if (rate.burst !== undefined && !(Number.isInteger(rate.burst) && rate.burst >= 1))
      return `rate.burst must be an integer of at least 1, not ${String(rate.burst)}`;
  }
  if (concurrency !== undefined) {
    if (!(Number.isInteger(concurrency.slots) && concurrency.slots > 0))
      return `concurrency.slots must be an integer above 0, not ${String(concurrency.slots)}`;
    if (concurrency.leaseSeconds !== undefined && !isPositive(concurrency.leaseSeconds))
      return `concurrency.leaseSeconds must be a number above 0, not ${String(concurrency.leaseSeconds)}`;
  }
  return null;
}

/**
 * Every problem of a list of limits (an agent's or a definition's), each naming its limit; empty
 * when they are usable. Checked at registration (422) and when a worker starts (it refuses).
 */
export function stepLimitProblems(limits: readonly StepLimit[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  limits.forEach((limit, index) => {
    const label = typeof limit.name === 'string' ? `limit "${limit.name}"` : `limit ${index}`;
    if (typeof limit.name !== 'string' || !LIMIT_NAME_PATTERN.test(limit.name))
      problems.push(`${label}: name must be letters, digits, - and _, at most 63`);
    else if (names.has(limit.name)) problems.push(`${label} is declared twice`);
    else names.add(limit.name);
    if (!Array.isArray(limit.key)) problems.push(`${label}: key must be a list of key fields`);
    else
      for (const field of limit.key) {
        const problem = keyFieldProblem(field);
        if (problem) problems.push(`${label}: ${problem}`);
      }
    const numbers = limitNumbersProblem(limit);
    if (numbers) problems.push(`${label}: ${numbers}`);
  });
  return problems;
}

import { StepLimit } from '@app/contracts';
import { limitNumbersProblem } from './step-limit-rules';

/**
 * A deployment's changes to declared limits (`FLOW_CONTROL_LIMITS`, JSON), by
 * `agent:<agent>/<limit>` or `workflow:<TYPE>/<limit>`: new numbers (`rate` and/or `concurrency`,
 * each replacing the declared one whole) or `"off"` to lift the limit. Only numbers change here;
 * what a limit is keyed by belongs to whoever declared it.
 */
export type LimitOverrides = ReadonlyMap<string, Pick<StepLimit, 'rate' | 'concurrency'> | 'off'>;

const OVERRIDE_KEY = /^(agent|workflow):[^/\s]{1,100}\/[a-z0-9][a-z0-9_-]{0,62}$/i;

/** Parses and checks `FLOW_CONTROL_LIMITS`; throws an Error naming every problem. */
export function parseLimitOverrides(json: string | undefined): LimitOverrides {
  const overrides = new Map<string, Pick<StepLimit, 'rate' | 'concurrency'> | 'off'>();
  if (json === undefined || json.trim() === '') return overrides;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new Error(`is not JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('must be a JSON object of {"agent:<name>/<limit>": {rate?, concurrency?} or "off"}');
  const problems: string[] = [];
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!OVERRIDE_KEY.test(key)) {
      problems.push(`"${key}" is not agent:<name>/<limit> or workflow:<TYPE>/<limit>`);
      continue;
    }
    if (value === 'off') {
      overrides.set(key, 'off');
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`"${key}" must be {rate?, concurrency?} or "off"`);
      continue;
    }
    const { rate, concurrency, ...rest } = value as Pick<StepLimit, 'rate' | 'concurrency'>;
    const unknown = Object.keys(rest);
    const problem =
      unknown.length > 0
        ? `has unknown field(s) ${unknown.join(', ')}`
        : limitNumbersProblem({ rate, concurrency });
    if (problem) problems.push(`"${key}" ${problem}`);
    else overrides.set(key, { ...(rate ? { rate } : {}), ...(concurrency ? { concurrency } : {}) });
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return overrides;
}

/** Declared limits with a deployment's overrides applied; `owner` is `agent:<name>` or `workflow:<TYPE>`. */
export function withOverrides(
  owner: string,
  limits: readonly StepLimit[],
  overrides: LimitOverrides,
): StepLimit[] {
  if (overrides.size === 0) return [...limits];
  const applied: StepLimit[] = [];
  for (const limit of limits) {
    const override = overrides.get(`${owner}/${limit.name}`);
    if (override === 'off') continue;
    applied.push(override ? { ...limit, ...override } : limit);
  }
  return applied;
}

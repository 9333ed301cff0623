import { checkDependencyName } from './breaker-keys';

/** How one circuit breaker opens, probes and closes. */
export interface BreakerSettings {
  /** Consecutive failures that open it. */
  failureThreshold: number;
  /** Share of failed calls (0-1) within `windowMs` that opens it, once `minimumCalls` were made there. */
  errorRateThreshold: number;
  windowMs: number;
  minimumCalls: number;
  /** How long it stays open after failures, before probing. */
  coolDownMs: number;
  /** Probe calls allowed at once while half-open, across all workers. */
  halfOpenProbes: number;
  /** A probe's lease: a probe whose worker died is given back after it. Longer than a call takes. */
  probeLeaseMs: number;
  /** Probes that must succeed, one after another, to close it again. */
  closeAfterSuccesses: number;
  /** Longest time a `Retry-After` or rate-limit reset may keep it open (a year-away date is a mistake). */
  maxOpenMs: number;
}

/** A breaker's settings with the dependency to use instead while it is open. */
export interface DependencyBreakerSettings extends BreakerSettings {
  /** Another dependency that {@link CircuitBreakers.resolve} answers while this one's breaker is open. */
  fallback?: string;
}

/** Overrides of one dependency's breaker, as a descriptor or the configuration writes them. */
export type BreakerOverrides = Partial<DependencyBreakerSettings>;

/** Settings of a deployment: `*` for every dependency, then one entry per dependency name. */
export type BreakerConfiguration = Record<string, BreakerOverrides>;

/** The defaults in code, for any dependency nobody configured. */
export const DEFAULT_BREAKER_SETTINGS: Readonly<BreakerSettings> = Object.freeze({
  failureThreshold: 5,
  errorRateThreshold: 0.5,
  windowMs: 60_000,
  minimumCalls: 20,
  coolDownMs: 30_000,
  halfOpenProbes: 1,
  probeLeaseMs: 60_000,
  closeAfterSuccesses: 2,
  maxOpenMs: 3_600_000,
});

/** The rule each number follows: [lowest, highest], and whether it must be whole. */
const RULES: Record<keyof BreakerSettings, { min: number; max: number; isInteger: boolean }> = {
  failureThreshold: { min: 1, max: 1_000_000, isInteger: true },
  errorRateThreshold: { min: 0.01, max: 1, isInteger: false },
  windowMs: { min: 100, max: 86_400_000, isInteger: true },
  minimumCalls: { min: 1, max: 1_000_000, isInteger: true },
  coolDownMs: { min: 1, max: 86_400_000, isInteger: true },
  halfOpenProbes: { min: 1, max: 10_000, isInteger: true },
  probeLeaseMs: { min: 10, max: 86_400_000, isInteger: true },
  closeAfterSuccesses: { min: 1, max: 10_000, isInteger: true },
  maxOpenMs: { min: 1, max: 7 * 86_400_000, isInteger: true },
};
const KNOWN_KEYS = [...Object.keys(RULES), 'fallback'];

/** Breaker settings that cannot work: the message names where and what. */
export class BreakerSettingsError extends Error {
  override name = 'BreakerSettingsError';
}

/**
 * Checks overrides of one dependency's breaker (`where` names them in the message): unknown keys,
 * numbers out of range (negative ones among them) and a fallback that is no dependency name are
 * refused. Answers them typed.
 */
export function checkBreakerOverrides(value: unknown, where: string): BreakerOverrides {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BreakerSettingsError(`${where} must be an object of breaker settings`);
  const overrides: BreakerOverrides = {};
  for (const [key, setting] of Object.entries(value)) {
    if (key === 'fallback') {
      if (typeof setting !== 'string')
        throw new BreakerSettingsError(`${where}.fallback must be a dependency name`);
      try {
        overrides.fallback = checkDependencyName(setting);
      } catch (error) {
        throw new BreakerSettingsError(`${where}.fallback: ${(error as Error).message}`);
      }
      continue;
    }
    const rule = RULES[key as keyof BreakerSettings] as (typeof RULES)[keyof BreakerSettings] | undefined;
    if (!rule)
      throw new BreakerSettingsError(
        `${where} has an unknown key "${key}" (known: ${KNOWN_KEYS.join(', ')})`,
      );
    if (
      typeof setting !== 'number' ||
      !Number.isFinite(setting) ||
      (rule.isInteger && !Number.isInteger(setting)) ||
      setting < rule.min ||
      setting > rule.max
    )
      throw new BreakerSettingsError(
        `${where}.${key} must be ${rule.isInteger ? 'an integer' : 'a number'} from ${rule.min} to ${rule.max}, not ${JSON.stringify(setting)}`,
      );
    overrides[key as keyof BreakerSettings] = setting;
  }
  return overrides;
}

/**
 * Reads `CIRCUIT_BREAKERS`: a JSON object whose keys are dependency names, or `*` for every
 * dependency, each holding {@link BreakerOverrides}. Throws a {@link BreakerSettingsError} that
 * says what is wrong.
 */
export function parseBreakerConfiguration(
  json: string | undefined,
  where = 'CIRCUIT_BREAKERS',
): BreakerConfiguration {
  if (json === undefined || json.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new BreakerSettingsError(`${where} is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BreakerSettingsError(`${where} must be a JSON object keyed by dependency name (or "*")`);
  const configuration: BreakerConfiguration = {};
  for (const [dependency, overrides] of Object.entries(value)) {
    if (dependency !== '*') {
      try {
        checkDependencyName(dependency);
      } catch (error) {
        throw new BreakerSettingsError(`${where}: ${(error as Error).message}`);
      }
    }
    configuration[dependency] = checkBreakerOverrides(overrides, `${where}["${dependency}"]`);
    if (dependency === '*' && configuration[dependency].fallback !== undefined)
      throw new BreakerSettingsError(`${where}["*"].fallback: a fallback names one dependency's alternative`);
  }
  return configuration;
}

/**
 * The settings of one dependency's breaker: the defaults in code, then the agent descriptor's
 * overrides, then the deployment's (`*` first, the dependency's own last), so an operator always
 * has the last word.
 */
export function breakerSettingsOf(
  dependency: string,
  {
    declared = {},
    configured = {},
  }: { declared?: Record<string, BreakerOverrides>; configured?: BreakerConfiguration },
): DependencyBreakerSettings {
  return {
    ...DEFAULT_BREAKER_SETTINGS,
    ...declared[dependency],
    ...configured['*'],
    ...configured[dependency],
  };
}

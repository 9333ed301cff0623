/**
 * The limits of one (provider, model), as a deployment sets them (`LLM_LIMITS`): at most
 * `requests` calls and `tokens` tokens (prompt and answer) per `periodSeconds`, shared by every
 * worker. Either may be left out.
 */
export interface LlmLimit {
  /** Calls per period. */
  requests?: number;
  /** Tokens per period, and the most a burst may spend at once (a full bucket). */
  tokens?: number;
  /** Default 60: providers state their limits per minute. */
  periodSeconds?: number;
  /** Calls allowed at once. Default 1: calls spaced evenly over the period. */
  burst?: number;
  /** The answer's tokens a call is estimated at when it sets no `maxTokens`. Default 1024. */
  defaultMaxTokens?: number;
}

/** By dependency, `llm:<provider>:<model>` (as the circuit breakers name it). */
export type LlmLimits = Readonly<Record<string, LlmLimit>>;

export const DEFAULT_LLM_MAX_TOKENS = 1024;

const FIELDS: Record<keyof LlmLimit, 'positive' | 'integer'> = {
  requests: 'positive',
  tokens: 'positive',
  periodSeconds: 'positive',
  burst: 'integer',
  defaultMaxTokens: 'integer',
};

/**
 * Reads `LLM_LIMITS` (JSON: `{ "llm:<provider>:<model>": { requests, tokens, periodSeconds, burst,
 * defaultMaxTokens } }`). Throws an Error naming the model and the field when a value cannot
 * work: a key that is not `llm:<provider>:<model>`, an unknown field, a number that is not positive
 * (a whole number for `burst` and `defaultMaxTokens`), or an entry limiting nothing.
 */
export function parseLlmLimits(text: string | undefined): LlmLimits {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('LLM_LIMITS is not valid JSON');
  }
  if (!isObject(value)) throw new Error('LLM_LIMITS must be a JSON object of models');
  const limits: Record<string, LlmLimit> = {};
  for (const [dependency, entry] of Object.entries(value)) {
    if (!/^llm:[^:\s]+:\S+$/.test(dependency)) {
      throw new Error(`LLM_LIMITS: "${dependency}" must name a model as llm:<provider>:<model>`);
    }
    if (!isObject(entry)) throw new Error(`LLM_LIMITS: ${dependency} must be an object`);
    const limit: Record<string, number> = {};
    for (const [field, number] of Object.entries(entry)) {
      const kind = FIELDS[field as keyof LlmLimit];
      if (!kind) {
        throw new Error(
          `LLM_LIMITS: ${dependency}.${field} is unknown (use ${Object.keys(FIELDS).join(', ')})`,
        );
      }
      const isValid =
        typeof number === 'number' &&
        Number.isFinite(number) &&
        number > 0 &&
        (kind === 'positive' || Number.isInteger(number));
      if (!isValid) {
        throw new Error(
          `LLM_LIMITS: ${dependency}.${field} must be a ${kind === 'integer' ? 'whole number' : 'number'} above 0`,
        );
      }
      limit[field] = number as number;
    }
    if (limit.requests === undefined && limit.tokens === undefined) {
      throw new Error(`LLM_LIMITS: ${dependency} limits nothing: set requests, tokens or both`);
    }
    limits[dependency] = limit;
  }
  return limits;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

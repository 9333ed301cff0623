import type { BreakerOutcome } from '@app/flow-control';
import { AgentError, ErrorKind, RateLimitedError, errorKindOf } from '../agent-errors';
import { HeaderReader, rateLimitResetOf } from '../http/retry-after';

/**
 * Error kinds that mean the dependency answered and the call itself was wrong (a refused input, a
 * prompt too long, filtered content, an answer that failed validation): its breaker counts them as
 * successes. Written as strings so a kind added to the taxonomy later is a failure until listed.
 */
const CALLER_MISTAKES: ReadonlySet<string> = new Set([
  ErrorKind.Validation,
  'context-length',
  'content-filter',
  'invalid-output',
]);

/**
 * What an HTTP answer says about the dependency that gave it: 429 and 503 rate-limited (for as long
 * as `Retry-After` or `x-ratelimit-reset-*` say), 408 and other 5xx failures, anything else a
 * success (a 4xx is the caller's mistake, not the dependency's trouble).
 */
export function breakerOutcomeOfResponse(response: {
  status: number;
  headers: HeaderReader;
}): BreakerOutcome {
  const { status, headers } = response;
  if (status === 429 || status === 503) return { kind: 'rate-limited', resetMs: rateLimitResetOf(headers) };
  if (status === 408 || status >= 500) return { kind: 'failure' };
  return { kind: 'success' };
}

/**
 * What a thrown error says about the dependency the call went to: an error carrying a
 * `retryAfterMs` (RateLimitedError, a rate-limited LlmError) is rate-limited; network errors,
 * timeouts and other LLM errors are failures; the caller's own mistakes are successes; a cancel
 * says nothing; and an error of no known kind (a bug in the code around the call) says nothing
 * either, so it cannot open a breaker.
 */
export function breakerOutcomeOfError(error: unknown): BreakerOutcome {
  const kind: string = errorKindOf(error);
  if (kind === ErrorKind.Cancelled || kind === ErrorKind.Unknown) return { kind: 'ignored' };
  if (CALLER_MISTAKES.has(kind)) return { kind: 'success' };
  const retryAfterMs =
    error instanceof AgentError ? (error as { retryAfterMs?: unknown }).retryAfterMs : undefined;
  if (
    error instanceof RateLimitedError ||
    typeof retryAfterMs === 'number' ||
    kind === 'rate-limited' ||
    kind === 'overloaded'
  )
    return { kind: 'rate-limited', resetMs: typeof retryAfterMs === 'number' ? retryAfterMs : null };
  return { kind: 'failure' };
}

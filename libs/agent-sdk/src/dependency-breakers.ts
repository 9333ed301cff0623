import type { BreakerOutcome } from '@app/flow-control';

/**
 * The circuit breakers of the dependencies an agent calls, shared by every worker through Redis
 * (`AgentContext.breakers`; the worker SDK's `CircuitBreakers` is one).
 */
export interface DependencyBreakers {
  /**
   * Calls `fn` while the breaker of `dependency` lets calls through, else throws a
   * `CircuitOpenError` (a `RateLimitedError` retried after the breaker's open-until), and counts
   * what the call came to: what `classify` says of its result (a success unless told; pass
   * `breakerOutcomeOfResponse` for a fetch `Response`), or what its error says (5xx, network and
   * timeouts fail, a 429 or 503 rate-limits for its Retry-After, a 4xx is the caller's mistake).
   */
  guard<T>(dependency: string, fn: () => Promise<T>, classify?: (result: T) => BreakerOutcome): Promise<T>;
  /** The configured fallback of `dependency` while its breaker is open (and the fallback's is not), else `dependency`. */
  resolve(dependency: string): Promise<string>;
}

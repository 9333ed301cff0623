import { ErrorKind, LlmError, RateLimitedError, errorKindOf } from './agent-errors';

/** Exponential backoff with jitter, per error kind. */
export interface RetryConfig {
  /** Retries (not attempts) allowed per error kind; 0 means fail at once. */
  maxRetries: Record<ErrorKind, number>;
  initialDelayMs: number;
  maxDelayMs: number;
  base: number;
  /** The computed delay is multiplied by a uniform random number in [min, max]. */
  jitter: { min: number; max: number };
  /** A timed-out attempt is retried with its timeout multiplied by this. */
  timeoutMultiplier: number;
}

/** The seed's default: 1 s initial, 30 s max, base 2, jitter 0.5-1.5. */
export function defaultRetryConfig(maxRetries = 3): RetryConfig {
  return {
    maxRetries: {
      [ErrorKind.Network]: maxRetries,
      [ErrorKind.Llm]: maxRetries,
      [ErrorKind.RateLimited]: maxRetries,
      [ErrorKind.Overloaded]: maxRetries,
      // The same prompt overflows or is filtered again; an invalid output was already repaired once.
      [ErrorKind.ContextLength]: 0,
      [ErrorKind.ContentFilter]: 0,
      [ErrorKind.InvalidOutput]: 0,
      [ErrorKind.Unknown]: maxRetries,
      [ErrorKind.Timeout]: 1,
      [ErrorKind.Validation]: 0,
      [ErrorKind.Cancelled]: 0,
      // A check's request is its workflow's quality loop's to decide (RevisionRequested).
      [ErrorKind.Revision]: 0,
    },
    initialDelayMs: 1000,
    maxDelayMs: 30000,
    base: 2,
    jitter: { min: 0.5, max: 1.5 },
    timeoutMultiplier: 2,
  };
}

/** Merges an agent's partial override over a base config. */
export function mergeRetryConfig(base: RetryConfig, override: Partial<RetryConfig> | undefined): RetryConfig {
  if (!override) return base;
  return { ...base, ...override, maxRetries: { ...base.maxRetries, ...override.maxRetries } };
}

/** True when a failure of this kind, after `retriesSoFar` retries, should be tried again. */
export function isRetryableError(error: unknown, retriesSoFar: number, config: RetryConfig): boolean {
  return retriesSoFar < config.maxRetries[errorKindOf(error)];
}

/**
 * Delay before retry number `retry` (1 for the first retry). The `Retry-After` of an LLM error or
 * of a rate-limited call wins over the computed delay, still capped by `maxDelayMs`.
 */
export function retryDelayMs(
  error: unknown,
  retry: number,
  config: RetryConfig,
  random: () => number = Math.random,
): number {
  const retryAfterMs =
    error instanceof LlmError || error instanceof RateLimitedError ? error.retryAfterMs : null;
  if (retryAfterMs !== null) return Math.min(retryAfterMs, config.maxDelayMs);
  const exponential = Math.min(config.initialDelayMs * config.base ** (retry - 1), config.maxDelayMs);
  const jitter = config.jitter.min + random() * (config.jitter.max - config.jitter.min);
  return Math.round(exponential * jitter);
}

/** Told before each retry, for logs and metrics. */
export interface RetryNotice {
  error: unknown;
  retry: number;
  delayMs: number;
  kind: ErrorKind;
}

export interface RetryOptions {
  config: RetryConfig;
  onRetry?: (notice: RetryNotice) => void;
  signal?: AbortSignal;
  random?: () => number;
  /** An error to throw at once, however retryable its kind (one whose wait outlasts a deadline, say). */
  isFinal?: (error: unknown) => boolean;
}

/**
 * Runs `operation` until it succeeds or its error is not retryable. Use it inside an agent for
 * a single call (an HTTP request); the engine retries whole steps durably through the queue.
 */
export async function retryWithBackoff<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await operation(retry + 1);
    } catch (error) {
      if (!isRetryableError(error, retry, options.config) || options.isFinal?.(error)) throw error;
      const delayMs = retryDelayMs(error, retry + 1, options.config, options.random);
      options.onRetry?.({ error, retry: retry + 1, delayMs, kind: errorKindOf(error) });
      await sleep(delayMs, options.signal);
    }
  }
}

/** Wraps any async function so that every call retries with backoff. */
export function withRetry<Args extends unknown[], T>(
  fn: (...args: Args) => Promise<T>,
  options: RetryOptions,
): (...args: Args) => Promise<T> {
  return (...args: Args) => retryWithBackoff(() => fn(...args), options);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** How the retry handler treats a failure. */
export enum ErrorKind {
  Network = 'network',
  Llm = 'llm',
  /** A language model's provider rate-limited the call (429): retried after its `Retry-After`. */
  RateLimited = 'rate-limited',
  /** A language model's provider is overloaded (503, 529): retried after its `Retry-After`. */
  Overloaded = 'overloaded',
  /** The prompt and answer do not fit the model's context window: the same call fails again. */
  ContextLength = 'context-length',
  /** The provider's content filter refused the prompt or the answer: the same call fails again. */
  ContentFilter = 'content-filter',
  /** The model's answer failed validation even after the client asked once more with the reason. */
  InvalidOutput = 'invalid-output',
  Validation = 'validation',
  Timeout = 'timeout',
  Cancelled = 'cancelled',
  /**
   * Not a failure: a check asked for earlier work to be done again (`RevisionRequested`); its
   * workflow's quality loop decides, never the retry policy.
   */
  Revision = 'revision',
  Unknown = 'unknown',
}

/** Base of the error taxonomy: agents throw these so the engine knows whether to retry. */
export class AgentError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A connection failed or a remote service answered 5xx: worth retrying. */
export class NetworkError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorKind.Network, message, options);
  }
}

/**
 * A remote service refused the call for now (429 Too Many Requests, 503 Service Unavailable):
 * retried like a network error, after the service's `Retry-After` when it gave one
 * (`retryAfterMs`, which the retry policy honours as it does an {@link LlmError}'s).
 */
export class RateLimitedError extends NetworkError {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A language model refused the call. `retryAfterMs` honours `Retry-After`. The subclasses in
 * `llm/llm-errors.ts` say why, each with an {@link ErrorKind} of its own that the retry policy
 * maps to retried, not retried or repaired.
 */
export class LlmError extends AgentError {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown; kind?: ErrorKind },
  ) {
    super(options?.kind ?? ErrorKind.Llm, message, options);
  }
}

/** The input cannot work: retrying will not help, the user must act. */
export class ValidationError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorKind.Validation, message, options);
  }
}

/** The step ran past its time limit. */
export class TimeoutError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorKind.Timeout, message, options);
  }
}

/** The workflow was cancelled while the step ran. Never retried. */
export class CancelledError extends AgentError {
  constructor(message = 'workflow cancelled', options?: { cause?: unknown }) {
    super(ErrorKind.Cancelled, message, options);
  }
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Classifies any thrown value, including plain Node errors from sockets and fetch. */
export function errorKindOf(error: unknown): ErrorKind {
  if (error instanceof AgentError) return error.kind;
  if (error instanceof Error) {
    if (error.name === 'AbortError') return ErrorKind.Cancelled;
    const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return ErrorKind.Network;
  }
  return ErrorKind.Unknown;
}

/** A short, safe description of any thrown value for logs and events. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * The worker thread running a CPU task crashed or ran out of memory. The thread is replaced and
 * only this step fails; it is retried like any unknown failure.
 */
export class CpuThreadError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorKind.Unknown, message, options);
  }
}

import { ErrorKind, LlmError } from '../agent-errors';

/**
 * The provider rate-limited the call (429). Retried, after `Retry-After` when the provider gave
 * one; the policy's `maxRetries['rate-limited']` bounds how often.
 */
export class LlmRateLimitedError extends LlmError {
  constructor(message: string, retryAfterMs: number | null = null, options?: { cause?: unknown }) {
    super(message, retryAfterMs, { ...options, kind: ErrorKind.RateLimited });
  }
}

/** The provider is overloaded (503, or Anthropic's 529). Retried like a rate limit. */
export class LlmOverloadedError extends LlmError {
  constructor(message: string, retryAfterMs: number | null = null, options?: { cause?: unknown }) {
    super(message, retryAfterMs, { ...options, kind: ErrorKind.Overloaded });
  }
}

/** The prompt (with the room for the answer) is longer than the model's context window. Not retried. */
export class ContextLengthError extends LlmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, null, { ...options, kind: ErrorKind.ContextLength });
  }
}

/** The provider's content filter refused the prompt or cut the answer. Not retried. */
export class ContentFilterError extends LlmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, null, { ...options, kind: ErrorKind.ContentFilter });
  }
}

/**
 * The model's answer failed validation twice: the client asked again once with the reason (a
 * model usually repairs what it is told about), and the repaired answer failed too. Not retried.
 * `text` is the last answer, for a caller that falls back to rules and logs what it ignored.
 */
export class InvalidOutputError extends LlmError {
  /** What is wrong with the last answer, as the validator said. */
  readonly problem: string;
  /** The last answer. */
  readonly text: string;
  /** The model that gave it. */
  readonly model: string;

  constructor(answer: { problem: string; text: string; model: string; isRepaired: boolean }) {
    super(
      answer.isRepaired
        ? `${answer.model} answer still invalid after one repair: ${answer.problem}`
        : `${answer.model} answer invalid: ${answer.problem}`,
      null,
      { kind: ErrorKind.InvalidOutput },
    );
    this.problem = answer.problem;
    this.text = answer.text;
    this.model = answer.model;
  }
}

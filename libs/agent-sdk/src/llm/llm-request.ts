/** One message of a chat prompt. */
export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What an agent asks a language model through `context.llm`. */
export interface LlmRequest {
  messages: LlmMessage[];
  /** Asks for one JSON object (`response_format: json_object`). */
  isJson?: boolean;
  /** Defaults to 0.4. */
  temperature?: number;
  /**
   * The most tokens the answer may have (`max_tokens`). The model's token limit counts the call
   * at its prompt's estimate plus this (or the limit's `defaultMaxTokens`) until the usage is known.
   */
  maxTokens?: number;
  /** This call's model instead of the agent's configured one (same provider and key). */
  model?: string;
  /**
   * Streams the answer: each piece is published live to the workflow's subscribers
   * (`step.tokens`) as it arrives, and a cancel aborts the provider's stream at once.
   */
  isStreamed?: boolean;
  /**
   * What the offline rules provider answers instead of a model (the value is sent as JSON text
   * when it is not a string). Without it, the offline provider refuses the call.
   */
  rules?: () => unknown;
}

/** Tokens one call spent. */
export interface LlmTokenUsage {
  promptTokens: number;
  completionTokens: number;
  /**
   * True when the provider reported nothing (a stream cancelled before its last chunk, a server
   * that sends no usage) and the figures are estimated from the text (about 4 characters a token).
   */
  isEstimated: boolean;
}

/** A model's answer. */
export interface LlmCompletion {
  text: string;
  /** `offline`, or the configured provider's name (`openai-compatible`). */
  provider: string;
  /** The model that answered, which may be more precise than the one asked for. */
  model: string;
  usage: LlmTokenUsage;
}

/** A validator of a JSON answer: the value to use, or what is wrong with it (told to the model). */
export type LlmAnswerValidator<T> = (value: unknown) => { value: T } | { problem: string };

/**
 * The language model of a step, as `context.llm`. The worker picks the provider, model and key
 * configured for the agent; every call's tokens, cost and outcome are recorded under the step.
 */
export interface AgentLlm {
  /** Which provider the agent's calls go to by default: `offline` or `openai-compatible`. */
  readonly provider: string;
  /** Asks once (retrying rate limits, overloads and network failures per the retry policy). */
  complete(request: LlmRequest): Promise<LlmCompletion>;
  /**
   * Asks for one JSON object and validates it; an answer that is not JSON or fails `validate` is
   * asked for once more, with the reason in the prompt. Throws an `InvalidOutputError` when the
   * repaired answer fails too.
   */
  completeJson<T>(
    request: LlmRequest,
    validate: LlmAnswerValidator<T>,
  ): Promise<{ value: T; completion: LlmCompletion }>;
}

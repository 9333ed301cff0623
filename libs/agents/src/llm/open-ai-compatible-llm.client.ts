import {
  LlmError,
  NetworkError,
  RetryConfig,
  defaultRetryConfig,
  describeError,
  retryWithBackoff,
} from '@app/agent-sdk';
import { parseRetryAfter } from '@app/agent-sdk/http';
import { LogLevel } from '@app/contracts';
import { LlmCallContext, LlmClient, LlmCompletion, LlmRequest } from './llm.client';

export interface OpenAiCompatibleLlmClientOptions {
  /** Up to and including the API version, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`. */
  baseUrl: string;
  model: string;
  /** Sent as a bearer token; local servers often need none. */
  apiKey?: string;
  /** Injected in tests; defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Retries of one call (429, 5xx, connection errors); defaults to the SDK's policy. */
  retry?: RetryConfig;
  /** Time limit of one HTTP call; the step's own signal still applies. */
  requestTimeoutMs?: number;
}

interface ChatCompletionResponse {
  choices?: Array<{ message?: { content?: unknown } }>;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
}

/** A call the provider refused for a reason retrying will not fix (400, 401, 404...). */
class RefusedCall {
  constructor(readonly error: LlmError) {}
}

/**
 * A client of any server speaking OpenAI's `POST /chat/completions`. Retries rate limits
 * (honouring `Retry-After`), 5xx answers and connection errors with the SDK's backoff, and
 * records the tokens each successful call really spent.
 */
export class OpenAiCompatibleLlmClient implements LlmClient {
  readonly provider: string;
  private readonly endpoint: string;
  private readonly apiKey: string | undefined;
  private readonly fetch: typeof fetch;
  private readonly retry: RetryConfig;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: OpenAiCompatibleLlmClientOptions) {
    this.provider = options.model;
    this.endpoint = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.apiKey = options.apiKey;
    this.fetch = options.fetch ?? fetch;
    this.retry = options.retry ?? defaultRetryConfig();
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60000;
  }

  async complete(request: LlmRequest, context: LlmCallContext): Promise<LlmCompletion> {
    const outcome = await retryWithBackoff(() => this.call(request, context), {
      config: this.retry,
      signal: context.signal,
      onRetry: (notice) =>
        context.log(LogLevel.Warning, `language model call failed; retrying in ${notice.delayMs} ms`, {
          retry: notice.retry,
          error: describeError(notice.error),
        }),
    });
    if (outcome instanceof RefusedCall) throw outcome.error;
    return outcome;
  }

  private async call(request: LlmRequest, context: LlmCallContext): Promise<LlmCompletion | RefusedCall> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let response: Response;
    try {
      response = await this.fetch(this.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          model: this.options.model,
          messages: request.messages,
          temperature: 0.4,
          response_format: { type: 'json_object' },
        }),
        signal: AbortSignal.any([context.signal, AbortSignal.timeout(this.requestTimeoutMs)]),
      });
    } catch (error) {
      // A cancelled step must stop, not retry: rethrow the abort as it is.
      if (context.signal.aborted) throw error;
      throw new NetworkError(`language model at ${this.endpoint} unreachable: ${describeError(error)}`, {
        cause: error,
      });
    }

    if (response.status === 429) {
      await response.body?.cancel();
      throw new LlmError(
        `language model rate-limited the call (429)`,
        parseRetryAfter(response.headers.get('retry-after')),
      );
    }
    if (response.status >= 500) {
      await response.body?.cancel();
      throw new NetworkError(`language model answered ${response.status}`);
    }
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 300);
      return new RefusedCall(new LlmError(`language model refused the call (${response.status}): ${detail}`));
    }

    let body: ChatCompletionResponse;
    try {
      body = (await response.json()) as ChatCompletionResponse;
    } catch (error) {
      throw new NetworkError('language model answered with a body that is not JSON', { cause: error });
    }
    this.recordUsage(body, context);
    const content = body.choices?.[0]?.message?.content;
    if (typeof content !== 'string') {
      return new RefusedCall(new LlmError('language model answer has no choices[0].message.content'));
    }
    return { text: content, provider: this.provider };
  }

  private recordUsage(body: ChatCompletionResponse, context: LlmCallContext): void {
    const promptTokens = body.usage?.prompt_tokens;
    const completionTokens = body.usage?.completion_tokens;
    if (typeof promptTokens === 'number' && typeof completionTokens === 'number') {
      context.recordLlmUsage({ promptTokens, completionTokens });
      return;
    }
    // The call happened and cost something, but guessing tokens would make the metrics lie.
    context.recordLlmUsage({ promptTokens: 0, completionTokens: 0 });
    context.log(LogLevel.Warning, 'language model reported no token usage; counted the call with 0 tokens');
  }
}

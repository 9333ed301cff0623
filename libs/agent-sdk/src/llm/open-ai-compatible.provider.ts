import { NetworkError, TimeoutError, describeError } from '../agent-errors';
import { LlmError } from '../agent-errors';
import { parseRetryAfter } from '../http/retry-after';
import {
  ContentFilterError,
  ContextLengthError,
  LlmOverloadedError,
  LlmRateLimitedError,
} from './llm-errors';
import { LlmCallAborted, LlmProvider, LlmProviderAnswer, LlmProviderCall } from './llm-provider';
import { serverSentEventData } from './server-sent-events.parser';

export interface OpenAiCompatibleProviderOptions {
  /** Up to and including the API version, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`. */
  baseUrl: string;
  /** Sent as a bearer token; local servers often need none. Never logged. */
  apiKey?: string;
  /** Time limit of one HTTP call; the step's own signal still applies. Default 60 s. */
  requestTimeoutMs?: number;
  /** Injected in tests; defaults to the global `fetch`. */
  fetch?: typeof fetch;
}

/** What OpenAI and its imitators answer, non-streamed or as one streamed chunk. */
interface ChatCompletionBody {
  model?: unknown;
  choices?: Array<{
    message?: { content?: unknown };
    delta?: { content?: unknown };
    finish_reason?: unknown;
  }>;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null;
  error?: { message?: unknown; code?: unknown; type?: unknown };
}

const CONTEXT_LENGTH = /context[_ ]length|context window|maximum context|too many tokens|prompt is too long/i;
const CONTENT_FILTER = /content[_ ]filter|content[_ ]policy|content management|safety system/i;

/**
 * A client of any server speaking OpenAI's `POST /chat/completions`, streamed (server-sent
 * events, with the usage in the last chunk) or not. It makes one HTTP call and classifies what
 * goes wrong; the {@link LlmClient} decides on retries.
 */
export class OpenAiCompatibleProvider implements LlmProvider {
  readonly name = 'openai-compatible';
  private readonly endpoint: string;
  private readonly fetch: typeof fetch;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: OpenAiCompatibleProviderOptions) {
    this.endpoint = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.fetch = options.fetch ?? fetch;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  }

  async call(call: LlmProviderCall): Promise<LlmProviderAnswer> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const abort = new CallAbort(call.signal, this.requestTimeoutMs);
    try {
      let response: Response;
      try {
        response = await this.fetch(this.endpoint, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            model: call.model,
            messages: call.messages,
            temperature: call.temperature,
            ...(call.maxTokens ? { max_tokens: call.maxTokens } : {}),
            ...(call.isJson ? { response_format: { type: 'json_object' } } : {}),
            ...(call.isStreamed ? { stream: true, stream_options: { include_usage: true } } : {}),
          }),
          signal: abort.signal,
        });
      } catch (error) {
        throw this.failure(error, call.signal, abort);
      }
      if (!response.ok) throw await this.refusal(response);
      return call.isStreamed
        ? await this.readStream(response, call, abort)
        : await this.readAnswer(response, call, abort);
    } finally {
      abort.dispose();
    }
  }

  private async readAnswer(
    response: Response,
    call: LlmProviderCall,
    abort: CallAbort,
  ): Promise<LlmProviderAnswer> {
    let body: ChatCompletionBody;
    try {
      body = (await abort.race(response.json())) as ChatCompletionBody;
    } catch (error) {
      if (abort.signal.aborted) throw this.failure(error, call.signal, abort);
      throw new NetworkError('language model answered with a body that is not JSON', { cause: error });
    }
    const choice = body.choices?.[0];
    if (choice?.finish_reason === 'content_filter') {
      throw new ContentFilterError('language model content filter withheld the answer');
    }
    const content = choice?.message?.content;
    if (typeof content !== 'string')
      throw new LlmError('language model answer has no choices[0].message.content');
    return { text: content, model: modelOf(body, call.model), usage: usageOf(body) };
  }

  private async readStream(
    response: Response,
    call: LlmProviderCall,
    abort: CallAbort,
  ): Promise<LlmProviderAnswer> {
    if (!response.body) throw new NetworkError('language model answered a streamed call without a body');
    let text = '';
    let model = call.model;
    let usage: LlmProviderAnswer['usage'] = null;
    let isFiltered = false;
    try {
      for await (const data of serverSentEventData(response.body, abort.signal)) {
        if (data.trim() === '[DONE]') break;
        let chunk: ChatCompletionBody;
        try {
          chunk = JSON.parse(data) as ChatCompletionBody;
        } catch {
          continue; // a keep-alive or a line some servers add; the answer is in the JSON chunks
        }
        if (chunk.error) throw classify(400, chunk.error, null);
        model = modelOf(chunk, model);
        usage = usageOf(chunk) ?? usage;
        const choice = chunk.choices?.[0];
        if (choice?.finish_reason === 'content_filter') isFiltered = true;
        const delta = choice?.delta?.content;
        if (typeof delta === 'string' && delta !== '') {
          text += delta;
          call.onDelta(delta);
        }
      }
    } catch (error) {
      if (call.signal.aborted) throw new LlmCallAborted(call.signal.reason, text, usage);
      if (error instanceof LlmError) throw error;
      throw this.failure(error, call.signal, abort);
    }
    if (isFiltered) throw new ContentFilterError('language model content filter cut the streamed answer');
    return { text, model, usage };
  }

  /** A thrown fetch or body read, as the taxonomy names it. */
  private failure(error: unknown, signal: AbortSignal, abort: CallAbort): Error {
    // A cancelled step must stop, not retry: the abort keeps its reason.
    if (signal.aborted) return new LlmCallAborted(signal.reason, '', null);
    if (abort.isTimedOut) {
      return new TimeoutError(`language model did not answer within ${this.requestTimeoutMs} ms`, {
        cause: error,
      });
    }
    return new NetworkError(`language model at ${this.endpoint} unreachable: ${describeError(error)}`, {
      cause: error,
    });
  }

  private async refusal(response: Response): Promise<Error> {
    const detail = (await response.text().catch(() => '')).slice(0, 2000);
    let error: ChatCompletionBody['error'] | undefined;
    try {
      error = (JSON.parse(detail) as ChatCompletionBody).error;
    } catch {
      error = { message: detail };
    }
    return classify(response.status, error ?? {}, parseRetryAfter(response.headers.get('retry-after')));
  }
}

/** The class of a refused call, from its status and the error the provider described. */
function classify(
  status: number,
  error: NonNullable<ChatCompletionBody['error']>,
  retryAfterMs: number | null,
): Error {
  const message = typeof error.message === 'string' ? error.message.slice(0, 300) : '';
  const code = `${String(error.code ?? '')} ${String(error.type ?? '')}`;
  if (status === 429)
    return new LlmRateLimitedError(`language model rate-limited the call (429)`, retryAfterMs);
  if (status === 503 || status === 529) {
    return new LlmOverloadedError(`language model is overloaded (${status})`, retryAfterMs);
  }
  if (status >= 500) return new NetworkError(`language model answered ${status}`);
  if (CONTEXT_LENGTH.test(code) || CONTEXT_LENGTH.test(message)) {
    return new ContextLengthError(`the prompt does not fit the model's context (${status}): ${message}`);
  }
  if (CONTENT_FILTER.test(code) || CONTENT_FILTER.test(message)) {
    return new ContentFilterError(`language model content filter refused the prompt (${status}): ${message}`);
  }
  return new LlmError(`language model refused the call (${status}): ${message}`);
}

function modelOf(body: ChatCompletionBody, asked: string): string {
  return typeof body.model === 'string' && body.model !== '' ? body.model : asked;
}

function usageOf(body: ChatCompletionBody): LlmProviderAnswer['usage'] {
  const promptTokens = body.usage?.prompt_tokens;
  const completionTokens = body.usage?.completion_tokens;
  return typeof promptTokens === 'number' && typeof completionTokens === 'number'
    ? { promptTokens, completionTokens }
    : null;
}

/**
 * What ends one HTTP call early: the step's signal (a cancel, its deadline) or the call's own time
 * limit, with the listeners held here until {@link dispose}. A streamed body is read against this
 * signal directly (its reader is cancelled), rather than trusting the abort to travel through
 * fetch: undici follows a request's signal weakly, and once the request object is collected an
 * abort may no longer reach the body (nodejs/undici#3644).
 */
class CallAbort {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onStepAbort = () => this.controller.abort(this.step.reason);
  isTimedOut = false;

  constructor(
    private readonly step: AbortSignal,
    timeoutMs: number,
  ) {
    if (step.aborted) this.controller.abort(step.reason);
    else step.addEventListener('abort', this.onStepAbort, { once: true });
    this.timer = setTimeout(() => {
      this.isTimedOut = true;
      this.controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** `work`, or the abort's reason as soon as the call is aborted. */
  race<T>(work: Promise<T>): Promise<T> {
    const { signal } = this.controller;
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.step.removeEventListener('abort', this.onStepAbort);
  }
}

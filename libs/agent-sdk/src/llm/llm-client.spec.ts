import { LogLevel } from '@app/contracts/enums';
import {
  CancelledError,
  ErrorKind,
  LlmError,
  NetworkError,
  TimeoutError,
  errorKindOf,
} from '../agent-errors';
import { RetryConfig, defaultRetryConfig, isRetryableError } from '../retry-policy';
import { LlmCallReport, LlmClient, LlmStepScope } from './llm-client';
import {
  ContentFilterError,
  ContextLengthError,
  InvalidOutputError,
  LlmOverloadedError,
  LlmRateLimitedError,
} from './llm-errors';
import { LlmSettings } from './llm-settings';
import {
  OpenAiCompatibleTestServer,
  TestReply,
  answer,
  refuse,
  stream,
} from './testing/open-ai-compatible.test-server';

const FAST_RETRY: RetryConfig = {
  ...defaultRetryConfig(3),
  initialDelayMs: 10,
  maxDelayMs: 5000,
  jitter: { min: 1, max: 1 },
};
const MESSAGES = [{ role: 'user' as const, content: 'Plan a blog about tea' }];

/** A step's scope that keeps what the client reports, logs and streams. */
function scopeOf(signal: AbortSignal = new AbortController().signal) {
  const reports: LlmCallReport[] = [];
  const logs: Array<{ level: LogLevel; message: string }> = [];
  const deltas: string[] = [];
  const scope: LlmStepScope = {
    agent: 'planner',
    signal,
    log: (level, message) => void logs.push({ level, message }),
    report: (call) => void reports.push(call),
    onDelta: (text) => void deltas.push(text),
  };
  return { scope, reports, logs, deltas };
}

describe('LlmClient against an OpenAI-compatible server', () => {
  let server: OpenAiCompatibleTestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** Resolves once the server has received a call. */
  async function waitForCall(): Promise<void> {
    while (server!.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  async function clientFor(replies: TestReply[], settings: Partial<LlmSettings> = {}): Promise<LlmClient> {
    server = await OpenAiCompatibleTestServer.start(replies);
    return new LlmClient({
      default: {
        provider: 'openai-compatible',
        baseUrl: `${server.baseUrl}/`,
        model: 'gpt-4o-mini',
        apiKey: 'sk-secret',
      },
      retry: FAST_RETRY,
      ...settings,
    });
  }

  it('sends model, messages and JSON mode with the key, and reports the usage and cost the answer states', async () => {
    const client = await clientFor([
      answer('{"kind":"blog"}', { prompt_tokens: 1000, completion_tokens: 500 }, 'gpt-4o-mini-2024-07-18'),
    ]);
    const { scope, reports } = scopeOf();

    const completion = await client.complete({ messages: MESSAGES, isJson: true }, scope);

    expect(completion).toEqual({
      text: '{"kind":"blog"}',
      provider: 'openai-compatible',
      model: 'gpt-4o-mini-2024-07-18',
      usage: { promptTokens: 1000, completionTokens: 500, isEstimated: false },
    });
    expect(server!.calls[0].body).toMatchObject({
      model: 'gpt-4o-mini',
      messages: MESSAGES,
      response_format: { type: 'json_object' },
    });
    expect(server!.calls[0].body.stream).toBeUndefined();
    expect(server!.calls[0].headers.authorization).toBe('Bearer sk-secret');
    // gpt-4o-mini: $0.15 and $0.60 per million tokens.
    expect(reports).toEqual([
      expect.objectContaining({
        model: 'gpt-4o-mini-2024-07-18',
        promptTokens: 1000,
        completionTokens: 500,
        outcome: 'ok',
        isEstimated: false,
      }),
    ]);
    expect(reports[0].costUsd).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 12);
  });

  it('prices a model from the configured table over the defaults', async () => {
    const client = await clientFor(
      [answer('{}', { prompt_tokens: 2_000_000, completion_tokens: 1_000_000 })],
      {
        prices: { 'gpt-4o-mini': { prompt: 1, completion: 2 } },
      },
    );
    const { scope, reports } = scopeOf();
    await client.complete({ messages: MESSAGES }, scope);
    expect(reports[0].costUsd).toBe(4);
  });

  it('streams the answer with include_usage, hands each piece on in order, and takes the usage from the last chunk', async () => {
    const client = await clientFor([
      stream(['Leaf', ' and', ' Cup'], { usage: { prompt_tokens: 31, completion_tokens: 3 } }),
    ]);
    const { scope, reports, deltas } = scopeOf();

    const completion = await client.complete({ messages: MESSAGES, isStreamed: true }, scope);

    expect(server!.calls[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(deltas).toEqual(['Leaf', ' and', ' Cup']);
    expect(completion).toMatchObject({
      text: 'Leaf and Cup',
      model: 'streamed-model',
      usage: { promptTokens: 31, completionTokens: 3, isEstimated: false },
    });
    expect(reports).toEqual([
      expect.objectContaining({ outcome: 'ok', promptTokens: 31, completionTokens: 3 }),
    ]);
  });

  it('aborts a stream at once when the step is cancelled, closing the connection and reporting the estimated partial usage', async () => {
    const client = await clientFor([
      stream(['a'.repeat(40), 'b'.repeat(40), 'never'], { pauseMs: 20, holdAfter: 2 }),
    ]);
    const controller = new AbortController();
    const { scope, reports, deltas } = scopeOf(controller.signal);
    scope.onDelta = (text) => {
      deltas.push(text);
      if (deltas.length === 2) controller.abort(new CancelledError());
    };

    await expect(client.complete({ messages: MESSAGES, isStreamed: true }, scope)).rejects.toBeInstanceOf(
      CancelledError,
    );

    await server!.calls[0].closed; // the server sees the client hang up
    expect(server!.calls).toHaveLength(1);
    expect(reports).toEqual([
      expect.objectContaining({
        outcome: 'cancelled',
        isEstimated: true,
        completionTokens: 20,
        promptTokens: Math.ceil(MESSAGES[0].content.length / 4) + 4,
      }),
    ]);
  });

  it('stops a non-streamed call at once when the step is cancelled, without retrying, counting the prompt it sent as estimated', async () => {
    const client = await clientFor([() => undefined]);
    const controller = new AbortController();
    const { scope, reports } = scopeOf(controller.signal);
    const call = client.complete({ messages: MESSAGES }, scope);
    await waitForCall();
    controller.abort(new CancelledError());

    await expect(call).rejects.toBeInstanceOf(CancelledError);
    await server!.calls[0].closed;
    expect(server!.calls).toHaveLength(1);
    expect(reports).toEqual([
      expect.objectContaining({
        outcome: 'cancelled',
        isEstimated: true,
        completionTokens: 0,
        promptTokens: Math.ceil(MESSAGES[0].content.length / 4) + 4,
      }),
    ]);
  });

  it('estimates the usage of an answer that reports none, and says so', async () => {
    const client = await clientFor([answer('x'.repeat(400), null)]);
    const { scope, reports, logs } = scopeOf();
    const completion = await client.complete({ messages: MESSAGES }, scope);
    expect(completion.usage).toEqual({ promptTokens: 10, completionTokens: 100, isEstimated: true });
    expect(reports[0]).toMatchObject({ isEstimated: true, completionTokens: 100 });
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: LogLevel.Warning,
        message: expect.stringContaining('reported no token usage'),
      }),
    );
  });

  describe('the error taxonomy', () => {
    it('retries a 429 after its Retry-After as rate-limited, counting no tokens for the refused call', async () => {
      const client = await clientFor([
        refuse(429, { message: 'slow down' }, { 'retry-after': '1' }),
        answer('{}', { prompt_tokens: 7, completion_tokens: 3 }),
      ]);
      const { scope, reports, logs } = scopeOf();

      await client.complete({ messages: MESSAGES }, scope);

      expect(server!.calls).toHaveLength(2);
      expect(server!.calls[1].at - server!.calls[0].at).toBeGreaterThanOrEqual(950);
      expect(
        reports.map(({ outcome, promptTokens, completionTokens }) => [
          outcome,
          promptTokens + completionTokens,
        ]),
      ).toEqual([
        ['rate-limited', 0],
        ['ok', 10],
      ]);
      expect(logs).toContainEqual(
        expect.objectContaining({ message: 'language model call failed; retrying in 1000 ms' }),
      );
    });

    it("gives up on a rate limit after the policy's retries with an LlmRateLimitedError the step may retry", async () => {
      const client = await clientFor([refuse(429)], {
        retry: { ...FAST_RETRY, maxRetries: { ...FAST_RETRY.maxRetries, [ErrorKind.RateLimited]: 2 } },
      });
      const failure = client.complete({ messages: MESSAGES }, scopeOf().scope);
      await expect(failure).rejects.toBeInstanceOf(LlmRateLimitedError);
      expect(server!.calls).toHaveLength(3);
      const error = await failure.catch((caught: unknown) => caught);
      expect(errorKindOf(error)).toBe(ErrorKind.RateLimited);
      expect(isRetryableError(error, 0, defaultRetryConfig())).toBe(true);
    });

    it.each([503, 529])('retries %i as overloaded', async (status) => {
      const client = await clientFor([
        refuse(status, { message: 'overloaded' }, { 'retry-after': '0' }),
        answer('{}'),
      ]);
      const { scope, reports } = scopeOf();
      await client.complete({ messages: MESSAGES }, scope);
      expect(reports.map((report) => report.outcome)).toEqual(['overloaded', 'ok']);
      expect(isRetryableError(new LlmOverloadedError('x'), 0, defaultRetryConfig())).toBe(true);
    });

    it('does not retry a context-length error', async () => {
      const client = await clientFor([
        refuse(400, {
          message: "This model's maximum context length is 128000 tokens.",
          code: 'context_length_exceeded',
        }),
      ]);
      const { scope, reports } = scopeOf();
      const failure = client.complete({ messages: MESSAGES }, scope);
      await expect(failure).rejects.toBeInstanceOf(ContextLengthError);
      expect(server!.calls).toHaveLength(1);
      expect(reports.map((report) => report.outcome)).toEqual(['context-length']);
      expect(isRetryableError(await failure.catch((error: unknown) => error), 0, defaultRetryConfig())).toBe(
        false,
      );
    });

    it('does not retry a refusal of the content filter, nor an answer it withheld', async () => {
      const refused = await clientFor([
        refuse(400, { message: 'flagged by our content management policy', code: 'content_filter' }),
      ]);
      await expect(refused.complete({ messages: MESSAGES }, scopeOf().scope)).rejects.toBeInstanceOf(
        ContentFilterError,
      );
      expect(server!.calls).toHaveLength(1);
      await server!.close();

      const withheld = await clientFor([
        (response) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({
              choices: [{ message: { content: null }, finish_reason: 'content_filter' }],
              usage: { prompt_tokens: 5, completion_tokens: 0 },
            }),
          );
        },
      ]);
      const failure = withheld.complete({ messages: MESSAGES }, scopeOf().scope);
      await expect(failure).rejects.toBeInstanceOf(ContentFilterError);
      expect(isRetryableError(await failure.catch((error: unknown) => error), 0, defaultRetryConfig())).toBe(
        false,
      );
    });

    it('does not retry in the call a refusal it cannot classify (401)', async () => {
      const client = await clientFor([refuse(401, { message: 'bad key' })]);
      const failure = client.complete({ messages: MESSAGES }, scopeOf().scope);
      await expect(failure).rejects.toThrow(/refused the call \(401\): bad key/);
      await expect(failure).rejects.toBeInstanceOf(LlmError);
      expect(server!.calls).toHaveLength(1);
    });

    it('retries a 500 and a refused connection as network errors', async () => {
      const client = await clientFor([refuse(500), answer('{}')]);
      const { scope, reports } = scopeOf();
      await client.complete({ messages: MESSAGES }, scope);
      expect(reports.map((report) => report.outcome)).toEqual(['network', 'ok']);
      const baseUrl = server!.baseUrl;
      await server!.close();
      server = undefined;

      const unreachable = new LlmClient({
        default: { provider: 'openai-compatible', baseUrl, model: 'm' },
        retry: { ...FAST_RETRY, maxRetries: { ...FAST_RETRY.maxRetries, [ErrorKind.Network]: 1 } },
      });
      const down = scopeOf();
      await expect(unreachable.complete({ messages: MESSAGES }, down.scope)).rejects.toBeInstanceOf(
        NetworkError,
      );
      expect(down.reports.map((report) => report.outcome)).toEqual(['network', 'network']);
    });

    it('turns a server that does not answer in time into a timeout, retried once', async () => {
      const client = await clientFor([() => undefined], { requestTimeoutMs: 100 });
      const { scope, reports } = scopeOf();
      await expect(client.complete({ messages: MESSAGES }, scope)).rejects.toBeInstanceOf(TimeoutError);
      expect(server!.calls).toHaveLength(2);
      expect(reports.map((report) => report.outcome)).toEqual(['timeout', 'timeout']);
    });

    it('repairs an invalid JSON answer once, with the validation error in the prompt', async () => {
      const client = await clientFor([answer('{"kind": "blog",}'), answer('{"kind":"blog"}')]);
      const { scope, reports, logs } = scopeOf();
      const validate = (value: unknown) =>
        typeof value === 'object' && value !== null && 'kind' in value
          ? { value: value as { kind: string } }
          : { problem: 'no kind' };

      const { value, completion } = await client.completeJson({ messages: MESSAGES }, validate, scope);

      expect(value).toEqual({ kind: 'blog' });
      expect(completion.text).toBe('{"kind":"blog"}');
      expect(server!.calls).toHaveLength(2);
      expect(server!.calls[0].body.response_format).toEqual({ type: 'json_object' });
      expect(server!.calls[1].body.messages.slice(-2)).toEqual([
        { role: 'assistant', content: '{"kind": "blog",}' },
        {
          role: 'user',
          content: expect.stringContaining('That answer cannot be used: the answer is not valid JSON'),
        },
      ]);
      expect(reports.map((report) => report.outcome)).toEqual(['ok', 'ok']);
      expect(logs).toContainEqual(
        expect.objectContaining({ message: expect.stringContaining('asking again') }),
      );
    });

    it('fails as invalid output, not retried, when the repaired answer is invalid too', async () => {
      const client = await clientFor([answer('{"colour":"red"}')]);
      const failure = client.completeJson(
        { messages: MESSAGES },
        () => ({ problem: 'no kind' }),
        scopeOf().scope,
      );
      await expect(failure).rejects.toBeInstanceOf(InvalidOutputError);
      const error = (await failure.catch((caught: unknown) => caught)) as InvalidOutputError;
      expect(error).toMatchObject({
        problem: 'no kind',
        text: '{"colour":"red"}',
        model: 'gpt-4o-mini',
        kind: ErrorKind.InvalidOutput,
      });
      expect(server!.calls).toHaveLength(2);
      expect(isRetryableError(error, 0, defaultRetryConfig())).toBe(false);
    });
  });

  it('gives each agent its configured provider, model and key, and a call its own model', async () => {
    server = await OpenAiCompatibleTestServer.start([answer('{}')]);
    const client = new LlmClient({
      default: { provider: 'offline' },
      agents: {
        content: {
          provider: 'openai-compatible',
          baseUrl: server.baseUrl,
          model: 'content-model',
          apiKey: 'sk-content',
        },
      },
      retry: FAST_RETRY,
    });
    const planner = scopeOf();
    const offline = await client
      .forStep(planner.scope)
      .complete({ messages: MESSAGES, rules: () => ({ kind: 'blog' }) });
    expect(offline).toMatchObject({ provider: 'offline', model: 'offline', text: '{"kind":"blog"}' });
    expect(planner.reports).toEqual([]);

    const content = scopeOf();
    const llm = client.forStep({ ...content.scope, agent: 'content' });
    await llm.complete({ messages: MESSAGES });
    await llm.complete({ messages: MESSAGES, model: 'bigger-model' });
    expect(server.calls.map((call) => [call.body.model, call.headers.authorization])).toEqual([
      ['content-model', 'Bearer sk-content'],
      ['bigger-model', 'Bearer sk-content'],
    ]);
  });

  it('refuses an offline call that brings no rules, and fails an invalid offline answer without asking again', async () => {
    const client = new LlmClient();
    const { scope } = scopeOf();
    await expect(client.complete({ messages: MESSAGES }, scope)).rejects.toThrow(/bring their rules/);
    let asked = 0;
    await expect(
      client.completeJson(
        { messages: MESSAGES, rules: () => (asked += 1) && {} },
        () => ({ problem: 'empty' }),
        scope,
      ),
    ).rejects.toBeInstanceOf(InvalidOutputError);
    expect(asked).toBe(1);
  });
});

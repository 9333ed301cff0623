import { LlmError, NetworkError, RetryConfig, defaultRetryConfig } from '@app/agent-sdk';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { createTestContext } from '../testing/agent-context.fixture';
import { createLlmClientFromEnv } from './llm-client.factory';
import { LlmClient, LlmRequest } from './llm.client';
import { OfflineLlmClient } from './offline-llm.client';
import { OpenAiCompatibleLlmClient } from './open-ai-compatible-llm.client';

type Reply = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** A local server speaking `POST /chat/completions`, answering each call with the next reply. */
async function startServer(replies: Reply[]): Promise<{
  baseUrl: string;
  calls: Array<{ at: number; body: any; headers: IncomingMessage['headers'] }>;
  server: Server;
}> {
  const calls: Array<{ at: number; body: any; headers: IncomingMessage['headers'] }> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      calls.push({ at: Date.now(), body: JSON.parse(body), headers: request.headers });
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        response.writeHead(404).end();
        return;
      }
      const reply = replies[Math.min(calls.length - 1, replies.length - 1)];
      reply(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, calls, server };
}

const ok =
  (
    content: string,
    usage: unknown = { prompt_tokens: 120, completion_tokens: 45, total_tokens: 165 },
  ): Reply =>
  (_request, _body, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage,
      }),
    );
  };
const status =
  (code: number, headers: Record<string, string> = {}): Reply =>
  (_request, _body, response) => {
    response.writeHead(code, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify({ error: { message: `status ${code}` } }));
  };

const REQUEST: LlmRequest = {
  task: { name: 'plan-site', request: 'a blog' },
  messages: [{ role: 'user', content: 'a blog' }],
};
const FAST_RETRY: RetryConfig = {
  ...defaultRetryConfig(3),
  initialDelayMs: 10,
  maxDelayMs: 5000,
  jitter: { min: 1, max: 1 },
};

describe('OpenAiCompatibleLlmClient', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('sends the model and messages and records the usage the server reports', async () => {
    const local = await startServer([ok('{"kind":"blog"}')]);
    server = local.server;
    const client = new OpenAiCompatibleLlmClient({
      baseUrl: `${local.baseUrl}/`,
      model: 'test-model',
      apiKey: 'secret',
      retry: FAST_RETRY,
    });
    const context = createTestContext();

    const completion = await client.complete(REQUEST, context);

    expect(completion).toEqual({ text: '{"kind":"blog"}', provider: 'test-model' });
    expect(local.calls[0].body).toMatchObject({
      model: 'test-model',
      messages: REQUEST.messages,
      response_format: { type: 'json_object' },
    });
    expect(local.calls[0].headers.authorization).toBe('Bearer secret');
    expect(context.usage).toEqual([{ promptTokens: 120, completionTokens: 45 }]);
  });

  it('waits for Retry-After after a 429, then succeeds, counting usage only for the successful call', async () => {
    const local = await startServer([
      status(429, { 'retry-after': '1' }),
      ok('{}', { prompt_tokens: 7, completion_tokens: 3 }),
    ]);
    server = local.server;
    const client = new OpenAiCompatibleLlmClient({ baseUrl: local.baseUrl, model: 'm', retry: FAST_RETRY });
    const context = createTestContext();

    await client.complete(REQUEST, context);

    expect(local.calls).toHaveLength(2);
    expect(local.calls[1].at - local.calls[0].at).toBeGreaterThanOrEqual(950);
    expect(context.usage).toEqual([{ promptTokens: 7, completionTokens: 3 }]);
    expect(context.logs).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: 'language model call failed; retrying in 1000 ms',
      }),
    );
  });

  it('retries a 5xx answer as a network error', async () => {
    const local = await startServer([status(503), status(502), ok('{}')]);
    server = local.server;
    const context = createTestContext();

    await new OpenAiCompatibleLlmClient({ baseUrl: local.baseUrl, model: 'm', retry: FAST_RETRY }).complete(
      REQUEST,
      context,
    );

    expect(local.calls).toHaveLength(3);
    expect(context.usage).toHaveLength(1);
  });

  it('gives up after the configured retries with the last error', async () => {
    const local = await startServer([status(500)]);
    server = local.server;
    const client = new OpenAiCompatibleLlmClient({
      baseUrl: local.baseUrl,
      model: 'm',
      retry: { ...FAST_RETRY, maxRetries: { ...FAST_RETRY.maxRetries, network: 2 } },
    });
    const context = createTestContext();

    await expect(client.complete(REQUEST, context)).rejects.toThrow(
      new NetworkError('language model answered 500'),
    );
    expect(local.calls).toHaveLength(3);
    expect(context.usage).toEqual([]);
  });

  it('does not retry a call the provider refuses (401)', async () => {
    const local = await startServer([status(401)]);
    server = local.server;
    const failure = new OpenAiCompatibleLlmClient({
      baseUrl: local.baseUrl,
      model: 'm',
      retry: FAST_RETRY,
    }).complete(REQUEST, createTestContext());

    await expect(failure).rejects.toBeInstanceOf(LlmError);
    await expect(failure).rejects.toThrow(/refused the call \(401\)/);
    expect(local.calls).toHaveLength(1);
  });

  it('turns a refused connection into retried network errors', async () => {
    const local = await startServer([ok('{}')]);
    await new Promise<void>((resolve) => local.server.close(() => resolve()));
    const client = new OpenAiCompatibleLlmClient({
      baseUrl: local.baseUrl,
      model: 'm',
      retry: { ...FAST_RETRY, maxRetries: { ...FAST_RETRY.maxRetries, network: 1 } },
    });
    const context = createTestContext();

    await expect(client.complete(REQUEST, context)).rejects.toBeInstanceOf(NetworkError);
    expect(context.logs.filter((log) => log.message.startsWith('language model call failed'))).toHaveLength(
      1,
    );
  });

  it('stops without retrying when the step is cancelled', async () => {
    const local = await startServer([(_request, _body, _response) => undefined]);
    server = local.server;
    const controller = new AbortController();
    const context = createTestContext({ signal: controller.signal });
    const call = new OpenAiCompatibleLlmClient({
      baseUrl: local.baseUrl,
      model: 'm',
      retry: FAST_RETRY,
    }).complete(REQUEST, context);
    setTimeout(() => controller.abort(), 50);

    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(local.calls).toHaveLength(1);
    server.closeAllConnections();
  });

  it('counts a call without reported usage as zero tokens and says so', async () => {
    const local = await startServer([ok('{}', null)]);
    server = local.server;
    const context = createTestContext();

    await new OpenAiCompatibleLlmClient({ baseUrl: local.baseUrl, model: 'm', retry: FAST_RETRY }).complete(
      REQUEST,
      context,
    );

    expect(context.usage).toEqual([{ promptTokens: 0, completionTokens: 0 }]);
    expect(context.logs).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringContaining('reported no token usage'),
      }),
    );
  });
});

describe('createLlmClientFromEnv', () => {
  it('picks the offline provider when LLM_BASE_URL is not set', () => {
    expect(createLlmClientFromEnv({})).toBeInstanceOf(OfflineLlmClient);
  });

  it('picks the OpenAI-compatible client when LLM_BASE_URL is set', () => {
    const client = createLlmClientFromEnv({ LLM_BASE_URL: 'http://127.0.0.1:1/v1', LLM_MODEL: 'llama3' });
    expect(client).toBeInstanceOf(OpenAiCompatibleLlmClient);
    expect(client.provider).toBe('llama3');
  });

  it('refuses LLM_BASE_URL without LLM_MODEL', () => {
    expect(() => createLlmClientFromEnv({ LLM_BASE_URL: 'http://127.0.0.1:1/v1' })).toThrow('LLM_MODEL');
  });
});

describe('OfflineLlmClient', () => {
  it('answers with rules and records no token usage', async () => {
    const context = createTestContext();
    const client: LlmClient = new OfflineLlmClient();
    const completion = await client.complete(
      { task: { name: 'plan-site', request: 'Create a blog about tea' }, messages: [] },
      context,
    );
    expect(JSON.parse(completion.text)).toMatchObject({ kind: 'blog', subject: 'tea' });
    expect(completion.provider).toBe('offline');
    expect(context.usage).toEqual([]);
  });
});

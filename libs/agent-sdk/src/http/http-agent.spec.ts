import { once } from 'node:events';
import { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { AgentContext } from '../agent';
import { LlmClient } from '../llm/llm-client';
import {
  CancelledError,
  ErrorKind,
  NetworkError,
  RateLimitedError,
  TimeoutError,
  ValidationError,
  errorKindOf,
} from '../agent-errors';
import { defaultRetryConfig, isRetryableError, mergeRetryConfig, retryDelayMs } from '../retry-policy';
import { HttpAgentOptions, HttpAgentRequest, createHttpAgent } from './http-agent';
import { HttpAgentDefinition } from './http-agent.definition';
import { generateHttpAgentSecret } from './http-agent.signature';

/** One request the receiver got: what it was, and whether the caller hung up before an answer. */
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** Settles when the connection closes before the receiver answered. */
  hungUp: Promise<void>;
}

type Answer = (received: Received, response: ServerResponse) => void;

/** An HTTP agent's receiver: a local server that answers as each test says. */
class Receiver {
  readonly received: Received[] = [];
  answer: Answer = (_received, response) => response.end();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<Receiver> {
    const server = createServer();
    const receiver = new Receiver(server);
    server.on(
      'request',
      (request: IncomingMessage, response: ServerResponse) => void receiver.take(request, response),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves with the next request, once its body has arrived. */
  nextRequest(): Promise<Received> {
    return new Promise((resolve) => this.server.once('received', resolve));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async take(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const hungUp = new Promise<void>((resolve) =>
      response.once('close', () => {
        if (!response.writableEnded) resolve();
      }),
    );
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const received = { headers: request.headers, body: Buffer.concat(chunks).toString(), hungUp };
    this.received.push(received);
    this.server.emit('received', received);
    this.answer(received, response);
  }
}

const json = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

function contextOf(
  signal: AbortSignal = new AbortController().signal,
  deadline = new Date(Date.now() + 30_000),
): AgentContext {
  return {
    workflowId: 'wf-1',
    workflowType: 'SUMMARISE',
    stepId: 'summarise',
    sessionId: 'session-1',
    tenantId: 'acme',
    attempt: 2,
    input: { text: 'Hello' },
    preferences: { tone: 'dry' },
    dependencies: { fetch: { pages: 3 } },
    signal,
    deadline,
    log: () => undefined,
    llm: new LlmClient().forStep({
      agent: 'summarise',
      signal,
      log: () => undefined,
      report: () => undefined,
    }),
    recordLlmUsage: () => undefined,
    runCpuTask: () => Promise.reject(new Error('no CPU pool here')),
  };
}

/** What a failed step threw. */
async function failureOf(execution: Promise<unknown>): Promise<Error> {
  try {
    await execution;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the step succeeded');
}

describe('createHttpAgent', () => {
  const secret = generateHttpAgentSecret();
  let receiver: Receiver;

  const definition = (overrides: Partial<HttpAgentDefinition> = {}): HttpAgentDefinition => ({
    name: 'summarise',
    version: '1.2.0',
    description: 'summarises a text',
    url: `${receiver.url}/agents/summarise`,
    secret,
    timeoutSeconds: 30,
    ...overrides,
  });
  /** The receiver listens on 127.0.0.1, so these agents may call private networks. */
  const agentOf = (overrides: Partial<HttpAgentDefinition> = {}, options: HttpAgentOptions = {}) =>
    createHttpAgent(definition(overrides), { allowPrivateNetworks: true, ...options });
  const policyOf = (agent: ReturnType<typeof createHttpAgent>) =>
    mergeRetryConfig(defaultRetryConfig(3), agent.descriptor.retry);

  beforeAll(async () => {
    receiver = await Receiver.start();
  });

  afterAll(async () => {
    await receiver.close();
  });

  it('POSTs the step’s context signed with Standard Webhooks, and returns the JSON answer as output', async () => {
    const agent = agentOf();
    let verified: unknown;
    receiver.answer = ({ headers, body }, response) => {
      verified = new Webhook(secret).verify(body, headers as Record<string, string>);
      json(response, 200, { summary: 'Hi' });
    };
    const deadline = new Date(Date.now() + 30_000);
    await expect(agent.execute(contextOf(undefined, deadline))).resolves.toEqual({ summary: 'Hi' });

    const [request] = receiver.received.slice(-1);
    expect(verified).toEqual(JSON.parse(request.body));
    const sent = verified as HttpAgentRequest;
    expect(sent).toEqual({
      workflowId: 'wf-1',
      workflowType: 'SUMMARISE',
      stepId: 'summarise',
      attempt: 2,
      sessionId: 'session-1',
      input: { text: 'Hello' },
      preferences: { tone: 'dry' },
      dependencies: { fetch: { pages: 3 } },
      deadline: deadline.toISOString(),
    });
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-id']).toBe('wf-1:summarise:2');
  });

  it('sends a fan-out sub-step its work item, under a webhook id of its own', async () => {
    receiver.answer = (_received, response) => json(response, 200, { summary: 'Hi' });
    await agentOf().execute({ ...contextOf(), item: { index: 7, value: { page: 'about' } } });
    const [request] = receiver.received.slice(-1);
    expect((JSON.parse(request.body) as HttpAgentRequest).item).toEqual({
      index: 7,
      value: { page: 'about' },
    });
    expect(request.headers['webhook-id']).toBe('wf-1:summarise#7:2');
  });

  it('fails verification with another secret or a changed body', async () => {
    receiver.answer = (_received, response) => json(response, 200, {});
    await agentOf().execute(contextOf());
    const [{ headers, body }] = receiver.received.slice(-1);
    const signed = headers as Record<string, string>;
    expect(() => new Webhook(generateHttpAgentSecret()).verify(body, signed)).toThrow(
      'No matching signature',
    );
    expect(() => new Webhook(secret).verify(body.replace('Hello', 'Hullo'), signed)).toThrow(
      'No matching signature',
    );
  });

  it('publishes a descriptor without the URL or the secret, with the definition’s time limit and retries', () => {
    const agent = agentOf({ retry: { initialDelayMs: 200 } });
    expect(agent.descriptor).toEqual({
      name: 'summarise',
      version: '1.2.0',
      description: 'summarises a text',
      timeoutSeconds: 30,
      retry: { initialDelayMs: 200 },
    });
    expect(JSON.stringify(agent.descriptor)).not.toContain(secret);
    expect(JSON.stringify(agent.descriptor)).not.toContain(receiver.url);
  });

  it('answers 204 with a null output', async () => {
    receiver.answer = (_received, response) => response.writeHead(204).end();
    await expect(agentOf().execute(contextOf())).resolves.toBeNull();
  });

  it('takes a 429 with Retry-After as a rate limit: retryable, and the retry waits exactly that long', async () => {
    receiver.answer = (_received, response) =>
      json(response, 429, { error: 'slow down' }, { 'retry-after': '7' });
    const agent = agentOf();
    const error = await failureOf(agent.execute(contextOf()));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.message).toBe('agent summarise answered 429: slow down');
    expect(errorKindOf(error)).toBe(ErrorKind.Network);
    expect(isRetryableError(error, 0, policyOf(agent))).toBe(true);
    expect(retryDelayMs(error, 1, policyOf(agent))).toBe(7000);
  });

  it('takes a 503 as overloaded: retryable, with the policy’s backoff when it gives no Retry-After', async () => {
    receiver.answer = (_received, response) => response.writeHead(503).end('down for maintenance');
    const agent = agentOf();
    const error = await failureOf(agent.execute(contextOf()));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({
      retryAfterMs: null,
      message: 'agent summarise answered 503: down for maintenance',
    });
    expect(retryDelayMs(error, 1, policyOf(agent), () => 0)).toBe(500);
  });

  it.each([500, 502, 408])('takes a %i as a retryable network error', async (status) => {
    receiver.answer = (_received, response) => json(response, status, { message: 'boom' });
    const agent = agentOf();
    const error = await failureOf(agent.execute(contextOf()));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toBe(`agent summarise answered ${status}: boom`);
    expect(isRetryableError(error, 0, policyOf(agent))).toBe(true);
  });

  it('takes a 400 as a validation error, not retried, naming the status and the body’s error', async () => {
    receiver.answer = (_received, response) => json(response, 400, { error: 'input.text is required' });
    const agent = agentOf();
    const error = await failureOf(agent.execute(contextOf()));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('agent summarise answered 400: input.text is required');
    expect(isRetryableError(error, 0, policyOf(agent))).toBe(false);
  });

  it('quotes at most 300 characters of an error body', async () => {
    receiver.answer = (_received, response) => json(response, 422, { error: { message: 'x'.repeat(5000) } });
    const error = await failureOf(agentOf().execute(contextOf()));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(`agent summarise answered 422: ${'x'.repeat(300)}…`);
  });

  it('refuses a 2xx whose body is not JSON, saying so', async () => {
    receiver.answer = (_received, response) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>sign in</html>');
    const error = await failureOf(agentOf().execute(contextOf()));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toBe(
      'agent summarise answered 200 with a body that is not JSON (text/html): <html>sign in</html>',
    );
  });

  it('refuses an answer larger than its limit', async () => {
    receiver.answer = (_received, response) => json(response, 200, { text: 'x'.repeat(2000) });
    const error = await failureOf(agentOf({}, { maxResponseBytes: 1000 }).execute(contextOf()));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('agent summarise answered 200 with more than 1000 bytes');
  });

  it('does not follow a redirect', async () => {
    receiver.answer = (_received, response) =>
      response.writeHead(307, { location: `${receiver.url}/elsewhere` }).end();
    const before = receiver.received.length;
    const error = await failureOf(agentOf().execute(contextOf()));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(
      /^agent summarise answered 307, a redirect to http:\/\/127\.0\.0\.1:\d+\/elsewhere/,
    );
    expect(receiver.received.length).toBe(before + 1);
  });

  it('takes a connection refused as a retryable network error', async () => {
    const closed = await Receiver.start();
    const url = closed.url;
    await closed.close();
    const error = await failureOf(agentOf({ url }).execute(contextOf()));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toMatch(/^agent summarise unreachable: /);
  });

  it('aborts the request at the step’s deadline: a timeout, and the receiver sees the connection closed', async () => {
    receiver.answer = () => undefined;
    const arrived = receiver.nextRequest();
    const deadline = new Date(Date.now() + 200);
    const error = await failureOf(agentOf().execute(contextOf(undefined, deadline)));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(errorKindOf(error)).toBe(ErrorKind.Timeout);
    expect(error.message).toBe(
      `agent summarise did not answer by its step's deadline, ${deadline.toISOString()}`,
    );
    await (
      await arrived
    ).hungUp;
  });

  it('waits past its timeoutSeconds when the step’s deadline is later, as on the retry after a timeout', async () => {
    receiver.answer = (_received, response) =>
      void setTimeout(() => json(response, 200, { late: true }), 400);
    const agent = agentOf({ timeoutSeconds: 0.2 });
    const deadline = new Date(Date.now() + 5_000);
    await expect(agent.execute(contextOf(undefined, deadline))).resolves.toEqual({ late: true });
    const [request] = receiver.received.slice(-1);
    expect((JSON.parse(request.body) as HttpAgentRequest).deadline).toBe(deadline.toISOString());
  });

  it('aborts the request when the step is cancelled: the receiver sees the connection closed', async () => {
    receiver.answer = () => undefined;
    const step = new AbortController();
    const arrived = receiver.nextRequest();
    const execution = failureOf(agentOf().execute(contextOf(step.signal)));
    const request = await arrived;
    step.abort(new CancelledError());
    const error = await execution;
    expect(error).toBeInstanceOf(CancelledError);
    expect(errorKindOf(error)).toBe(ErrorKind.Cancelled);
    await request.hungUp;
  });

  it('checks the address again before each request unless private networks are allowed', async () => {
    const before = receiver.received.length;
    const onLoopback = await failureOf(
      createHttpAgent(definition(), { allowPrivateNetworks: false }).execute(contextOf()),
    );
    expect(onLoopback).toBeInstanceOf(ValidationError);
    expect(onLoopback.message).toMatch(/^agent summarise: url host 127\.0\.0\.1 is a loopback address/);

    // A name that resolved to a public address when it was registered, and to a private one now.
    const rebound = await failureOf(
      createHttpAgent(definition({ url: 'https://agents.example.com/summarise' }), {
        lookup: async () => ['10.0.0.7'],
      }).execute(contextOf()),
    );
    expect(rebound).toBeInstanceOf(ValidationError);
    expect(rebound.message).toContain('resolves to 10.0.0.7, a private address');
    expect(receiver.received.length).toBe(before);
  });
});

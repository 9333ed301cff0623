import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { BreakerStore, FlowControlRedis } from '@app/flow-control';
import Redis from 'ioredis';
import { AgentContext } from '../agent';
import { RateLimitedError } from '../agent-errors';
import { CircuitBreakers, CircuitOpenError } from '../breakers/circuit-breakers';
import { createHttpAgent, httpDependencyOf } from './http-agent';
import { generateHttpAgentSecret } from './http-agent.signature';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The step context an HTTP agent reads; the rest of AgentContext it never touches. */
function contextOf(): AgentContext {
  return {
    workflowId: `wf-${randomUUID().slice(0, 8)}`,
    workflowType: 'PAY',
    stepId: 'pay',
    sessionId: 's',
    tenantId: 'acme',
    attempt: 1,
    input: {},
    preferences: {},
    dependencies: {},
    signal: new AbortController().signal,
    deadline: new Date(Date.now() + 5000),
    log: () => undefined,
  } as unknown as AgentContext;
}

describe('an HTTP agent through the breaker of its host (real Redis)', () => {
  const prefix = `test-http-breaker-${randomUUID().slice(0, 8)}`;
  let redis: Redis;
  let server: Server;
  let url: string;
  /** What the provider answers next: a status and headers. */
  let answers: { status: number; headers?: Record<string, string> }[] = [];
  let requests = 0;
  let store: BreakerStore;
  let breakers: CircuitBreakers;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    server = createServer((request, response) => {
      requests += 1;
      const { status, headers = {} } = answers.shift() ?? { status: 200 };
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(status < 300 ? { paid: true } : { error: `status ${status}` }));
      request.resume();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pay`;
  });

  beforeEach(() => {
    requests = 0;
    answers = [];
    // A prefix per test: the server's host is one dependency in all of them.
    store = new BreakerStore(new FlowControlRedis(redis), `${prefix}-${randomUUID().slice(0, 4)}`);
    breakers = new CircuitBreakers({
      store,
      configured: { '*': { failureThreshold: 2, coolDownMs: 60_000 } },
      logger: { log: () => {}, warn: () => {}, error: () => {} },
    });
  });

  afterAll(async () => {
    server.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const agent = () =>
    createHttpAgent(
      {
        name: 'pay',
        version: '1.0.0',
        description: 'pays',
        url,
        secret: generateHttpAgentSecret(),
        timeoutSeconds: 5,
      },
      { allowPrivateNetworks: true, breakers },
    );

  it('declares its host as its dependency, so the gate holds its steps while the breaker is open', () => {
    expect(agent().descriptor.dependencies).toEqual([httpDependencyOf(url)]);
    expect(httpDependencyOf(url)).toMatch(/^http:127\.0\.0\.1:\d+$/);
  });

  it('opens after the 5xx burst, then makes no request until the cool-down ends', async () => {
    answers = [{ status: 502 }, { status: 500 }];
    for (let call = 0; call < 2; call++)
      await expect(agent().execute(contextOf())).rejects.toThrow(/answered 50/);
    const refused = await agent()
      .execute(contextOf())
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect((refused as CircuitOpenError).retryAfterMs).toBeGreaterThan(50_000);
    expect(requests).toBe(2);
  });

  it('4xx mistakes leave it closed; a 429 with an x-ratelimit reset opens it for exactly that long', async () => {
    answers = [{ status: 400 }, { status: 404 }, { status: 400 }];
    for (let call = 0; call < 3; call++)
      await expect(agent().execute(contextOf())).rejects.toThrow(/answered 4/);
    answers = [
      {
        status: 429,
        headers: { 'x-ratelimit-reset-requests': '1.5s', 'x-ratelimit-remaining-requests': '0' },
      },
    ];
    const limited = await agent()
      .execute(contextOf())
      .catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).toBe(1500);
    const status = await store.status(httpDependencyOf(url));
    expect(Date.parse(status.openUntil ?? '') - Date.parse(status.lastTransition?.at ?? '')).toBe(1500);
    await expect(agent().execute(contextOf())).rejects.toBeInstanceOf(CircuitOpenError);
    expect(requests).toBe(4);
  });
});

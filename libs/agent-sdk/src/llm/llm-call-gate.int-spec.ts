import { randomUUID } from 'node:crypto';
import { BreakerStore, FlowControlKeys, FlowControlRedis, LlmLimiter, LlmLimits } from '@app/flow-control';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { CancelledError, ErrorKind, errorKindOf } from '../agent-errors';
import { BreakerMetrics } from '../breakers/breaker-metrics';
import { CircuitBreakers, CircuitOpenError } from '../breakers/circuit-breakers';
import { defaultRetryConfig } from '../retry-policy';
import { LlmCallReport, LlmClient, LlmStepScope } from './llm-client';
import { LlmRateLimitedError } from './llm-errors';
import {
  OpenAiCompatibleTestServer,
  TestReply,
  answer,
  refuse,
} from './testing/open-ai-compatible.test-server';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Answers each model its own way: the primary is rate-limited, its fallback answers. */
const byModel =
  (replies: Record<string, TestReply>): TestReply =>
  (response, body) =>
    (replies[body.model] ?? refuse(404))(response, body);

describe('LlmClient through its models’ limits and breakers (real Redis)', () => {
  const prefix = `test-llm-gate-${randomUUID().slice(0, 8)}`;
  const keys = new FlowControlKeys(prefix);
  let redis: Redis;
  let server: OpenAiCompatibleTestServer;
  let registry: Registry;
  let lines: string[];
  let reports: LlmCallReport[];

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    server = await OpenAiCompatibleTestServer.start([
      byModel({
        'limited-a': answer('{"ok":true}'),
        'limited-b': answer('{"ok":true}'),
        'limited-c': answer('{"ok":true}'),
        'limited-d': answer('{"ok":true}'),
        primary: refuse(429, { message: 'slow down' }, { 'retry-after': '30' }),
        secondary: answer('from the fallback', { prompt_tokens: 20, completion_tokens: 5 }),
        alone: refuse(429, { message: 'slow down' }, { 'retry-after': '30' }),
      }),
    ]);
  });

  beforeEach(() => {
    registry = new Registry();
    lines = [];
    reports = [];
    server.calls.length = 0;
  });

  afterAll(async () => {
    await server.close();
    const found = await redis.keys(`${prefix}:*`);
    if (found.length > 0) await redis.del(...found);
    await redis.quit();
  });

  const clientOf = (model: string, limits: LlmLimits = {}) => {
    const flowControl = new FlowControlRedis(redis);
    const breakers = new CircuitBreakers({
      store: new BreakerStore(flowControl, prefix),
      configured: { 'llm:openai-compatible:primary': { fallback: 'llm:openai-compatible:secondary' } },
      logger: { log: (line) => lines.push(line), warn: (line) => lines.push(line), error: () => {} },
      metrics: new BreakerMetrics(registry),
    });
    return new LlmClient(
      {
        default: { provider: 'openai-compatible', baseUrl: server.baseUrl, model },
        limits,
        retry: { ...defaultRetryConfig(), initialDelayMs: 1, maxDelayMs: 20 },
      },
      { limiter: new LlmLimiter(flowControl, keys), breakers, metricsRegistry: registry },
    );
  };

  const scopeOf = (overrides: Partial<LlmStepScope> = {}): LlmStepScope => ({
    agent: 'writer',
    signal: new AbortController().signal,
    log: (_level, message) => lines.push(message),
    report: (call) => reports.push(call),
    ...overrides,
  });

  const ask = { messages: [{ role: 'user' as const, content: 'Say hi' }] };
  const waits = () => lines.filter((line) => line.includes('at its limit: the call waits'));

  it('spaces calls at the model’s request rate: a refused call waits in the step, logged and counted', async () => {
    const client = clientOf('limited-a', {
      'llm:openai-compatible:limited-a': { requests: 5, periodSeconds: 1 },
    });
    const began = Date.now();
    // Asked together: one after the other, calls slower than the interval would never wait.
    await Promise.all([1, 2, 3].map(() => client.complete(ask, scopeOf())));
    expect(server.calls).toHaveLength(3);
    // The third call was admitted two intervals (200 ms each) after the first, which was admitted
    // after `began`, and reached the provider after its admission: however slow the transit.
    expect(server.calls[2].at - began).toBeGreaterThanOrEqual(400);
    // Two of the three were asked before their turn, and waited.
    expect(waits().length).toBeGreaterThanOrEqual(2);
    const metric = await registry.getSingleMetric('llm_limit_waits_total')?.get();
    expect(metric?.values.reduce((total, value) => total + value.value, 0)).toBe(waits().length);
  });

  it('counts tokens at their estimate, then corrects it by the usage the provider reported', async () => {
    // 600 tokens a minute; each call is estimated at its prompt (~6) + 400 and spends 165.
    const limits = { 'llm:openai-compatible:limited-b': { tokens: 600, defaultMaxTokens: 400 } };
    const client = clientOf('limited-b', limits);
    await client.complete(ask, scopeOf());
    // Without the refund of the first call's unspent estimate, this one would wait about 20 s.
    await client.complete(ask, scopeOf());
    expect(waits()).toEqual([]);
    const tat = Number(await redis.get(keys.llm('openai-compatible', 'limited-b').tokens));
    const [seconds, micros] = await redis.time();
    const owedMs = tat - (Number(seconds) * 1000 + Math.floor(Number(micros) / 1000));
    // 2 × 165 tokens at 100 ms a token, less the moments between the calls.
    expect(owedMs).toBeGreaterThan(30_000);
    expect(owedMs).toBeLessThanOrEqual(33_000);
    // A third call's estimate no longer fits: it waits (here, until the step gives up on it).
    const controller = new AbortController();
    setTimeout(() => controller.abort(new CancelledError()), 150);
    await expect(client.complete(ask, scopeOf({ signal: controller.signal }))).rejects.toBeInstanceOf(
      CancelledError,
    );
    expect(waits()).toHaveLength(1);
    expect(server.calls).toHaveLength(2);
  });

  it('fails rate-limited at once, with the wait, when the limit would hold the call past the step’s deadline', async () => {
    const client = clientOf('limited-c', {
      'llm:openai-compatible:limited-c': { requests: 1, periodSeconds: 60 },
    });
    await client.complete(ask, scopeOf());
    const began = Date.now();
    const failure = await client
      .complete(ask, scopeOf({ deadline: new Date(Date.now() + 2_000) }))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LlmRateLimitedError);
    expect(errorKindOf(failure)).toBe(ErrorKind.RateLimited);
    expect((failure as LlmRateLimitedError).retryAfterMs).toBeGreaterThan(55_000);
    expect(Date.now() - began).toBeLessThan(1_500);
    expect(server.calls).toHaveLength(1);
  });

  it('falls back to the configured model while the primary’s breaker is open, and reports the model that answered', async () => {
    const client = clientOf('primary');
    const first = await client.complete(ask, scopeOf());
    expect(first).toMatchObject({ text: 'from the fallback', model: 'secondary' });
    expect(server.calls.map((call) => call.body.model)).toEqual(['primary', 'secondary']);
    expect(reports.map((report) => [report.model, report.outcome])).toEqual([
      ['primary', 'rate-limited'],
      ['secondary', 'ok'],
    ]);
    // Open for the Retry-After's 30 s: the next call goes straight to the fallback.
    await client.complete(ask, scopeOf());
    expect(server.calls.map((call) => call.body.model)).toEqual(['primary', 'secondary', 'secondary']);
    expect(lines.some((line) => line.includes("primary's circuit breaker is open: calling secondary"))).toBe(
      true,
    );
  });

  it('with no fallback, an open breaker refuses the call with its open-until delay, never reaching the provider', async () => {
    const client = clientOf('alone');
    const deadline = new Date(Date.now() + 5_000);
    await expect(client.complete(ask, scopeOf({ deadline }))).rejects.toBeInstanceOf(LlmRateLimitedError);
    const refused = await client.complete(ask, scopeOf({ deadline })).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect((refused as CircuitOpenError).retryAfterMs).toBeGreaterThan(25_000);
    expect(errorKindOf(refused)).not.toBe(ErrorKind.Cancelled);
    expect(server.calls).toHaveLength(1);
  });
});

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BreakerStore, FlowControlRedis } from '@app/flow-control';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { NetworkError, ValidationError } from '../agent-errors';
import { breakerOutcomeOfResponse } from './breaker-outcome';
import { BreakerMetrics } from './breaker-metrics';
import { CircuitBreakers, CircuitOpenError } from './circuit-breakers';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('CircuitBreakers (real Redis)', () => {
  const prefix = `test-circuit-${randomUUID().slice(0, 8)}`;
  const lines: string[] = [];
  const logger = {
    log: (line: string) => lines.push(line),
    warn: (line: string) => lines.push(line),
    error: () => {},
  };
  let redis: Redis;
  let registry: Registry;
  let store: BreakerStore;
  let breakers: CircuitBreakers;
  let dependency: string;

  const failing = () => Promise.reject(new NetworkError('answered 502'));
  const failTimes = async (times: number) => {
    for (let call = 0; call < times; call++)
      await expect(breakers.guard(dependency, failing)).rejects.toThrow('502');
  };

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });

  beforeEach(() => {
    dependency = `payments-${randomUUID().slice(0, 8)}`;
    lines.length = 0;
    registry = new Registry();
    store = new BreakerStore(new FlowControlRedis(redis), prefix);
    breakers = new CircuitBreakers({
      store,
      configured: {
        '*': { failureThreshold: 2, coolDownMs: 200, closeAfterSuccesses: 1 },
        'llm:openai:gpt-4o': { fallback: 'llm:openai:gpt-4o-mini' },
      },
      logger,
      metrics: new BreakerMetrics(registry),
    });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('guards calls: failures open it, then calls are not made and say until when', async () => {
    await failTimes(2);
    let isCalled = false;
    const refused = breakers.guard(dependency, async () => (isCalled = true));
    await expect(refused).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(refused).rejects.toThrow(
      new RegExp(`^circuit open: ${dependency} until \\d\\d:\\d\\d:\\d\\dZ$`),
    );
    expect(isCalled).toBe(false);
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(`circuit breaker ${dependency} → open until .*: 2 consecutive failures`),
      ),
    ]);
    const metrics = await registry.metrics();
    expect(metrics).toContain(`circuit_breaker_state{dependency="${dependency}"} 1`);
    expect(metrics).toContain(`circuit_breaker_transitions_total{dependency="${dependency}",to="open"} 1`);
  });

  it("counts the caller's mistakes as successes: a dependency that answers 4xx stays closed", async () => {
    for (let call = 0; call < 3; call++)
      await expect(
        breakers.guard(dependency, () => Promise.reject(new ValidationError('400'))),
      ).rejects.toThrow();
    await expect(breakers.guard(dependency, async () => 'ok')).resolves.toBe('ok');
  });

  it('classifies a result it is told how to: a 429 with Retry-After opens it for that long', async () => {
    const response = new Response(null, { status: 429, headers: { 'retry-after': '1' } });
    await breakers.guard(dependency, async () => response, breakerOutcomeOfResponse);
    const error = (await breakers.before(dependency).catch((caught: unknown) => caught)) as CircuitOpenError;
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error.retryAfterMs).toBeGreaterThan(800);
    expect(error.retryAfterMs).toBeLessThanOrEqual(1000);
  });

  it('probes after the cool-down and closes on a success', async () => {
    await failTimes(2);
    await sleep(250);
    await expect(breakers.guard(dependency, async () => 'probed')).resolves.toBe('probed');
    expect(lines.map((line) => line.split(' → ')[1]?.split(/[: ]/)[0])).toEqual([
      'open',
      'half_open',
      'closed',
    ]);
  });

  it('resolves a dependency to its fallback while its breaker is open', async () => {
    dependency = 'llm:openai:gpt-4o';
    await breakers.guard(
      dependency,
      async () => new Response(null, { status: 429, headers: { 'retry-after': '1' } }),
      breakerOutcomeOfResponse,
    );
    expect(await breakers.resolve('llm:openai:gpt-4o')).toBe('llm:openai:gpt-4o-mini');
    await store.reset(dependency);
    expect(await breakers.resolve('llm:openai:gpt-4o')).toBe('llm:openai:gpt-4o');
    expect(await breakers.resolve(`${dependency}-without-fallback`)).toBe(`${dependency}-without-fallback`);
  });

  it("hands the gate's probe lease to the step's call, and gives an unused one back", async () => {
    await failTimes(2);
    expect(await breakers.admit([dependency])).toMatchObject({
      admitted: false,
      reason: expect.stringMatching(/^circuit open: /),
    });
    await sleep(250);
    const admitted = await breakers.admit([dependency]);
    if (!admitted.admitted) throw new Error('expected the probe to be admitted');
    expect(admitted.tickets).toHaveLength(1);
    // The only probe is the admitted step's: another step waits; the step's own call goes through.
    expect(await breakers.admit([dependency])).toMatchObject({
      admitted: false,
      reason: expect.stringMatching(/^circuit half-open, probing: /),
    });
    const ticket = await breakers.before(dependency);
    expect(ticket.probeToken).toBe(admitted.tickets[0].probeToken);
    await breakers.after(ticket, { kind: 'success' });
    await breakers.releaseAdmission(admitted.tickets);
    expect((await breakers.admit([dependency])).admitted).toBe(true);

    // Open again; a probe step that never calls gives its lease back when it ends.
    await failTimes(2);
    await sleep(250);
    const unused = await breakers.admit([dependency]);
    if (!unused.admitted) throw new Error('expected the probe to be admitted');
    await breakers.releaseAdmission(unused.tickets);
    expect(await breakers.admit([dependency])).toMatchObject({
      admitted: true,
      tickets: [expect.anything()],
    });
  });

  it('refuses descriptor overrides that cannot work, naming the agent', () => {
    expect(() => breakers.declare('payments', { 'payments-api': { coolDownMs: -1 } })).toThrow(
      'agent payments: breakers["payments-api"].coolDownMs must be an integer from 1 to 86400000, not -1',
    );
  });
});

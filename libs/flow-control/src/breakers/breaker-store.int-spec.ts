import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { FlowControlRedis } from '../flow-control-redis';
import { BreakerSettings, DEFAULT_BREAKER_SETTINGS } from './breaker-settings';
import { BreakerStore, BreakerTransition } from './breaker-store';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('BreakerStore (real Redis)', () => {
  const prefix = `test-breakers-${randomUUID().slice(0, 8)}`;
  let redis: Redis;
  let otherRedis: Redis;
  let subscriber: Redis;
  /** Two stores on two connections: two workers sharing the breakers. */
  let worker1: BreakerStore;
  let worker2: BreakerStore;
  const published: BreakerTransition[] = [];
  const settings: BreakerSettings = {
    ...DEFAULT_BREAKER_SETTINGS,
    failureThreshold: 3,
    minimumCalls: 10,
    errorRateThreshold: 0.5,
    coolDownMs: 300,
    halfOpenProbes: 2,
    probeLeaseMs: 5000,
    closeAfterSuccesses: 2,
  };
  let dependency: string;

  const fail = (store: BreakerStore, times: number, token: string | null = null) =>
    Promise.all(
      Array.from({ length: times }, () => store.record(dependency, settings, { kind: 'failure' }, token)),
    );
  const succeed = (store: BreakerStore, token: string | null = null) =>
    store.record(dependency, settings, { kind: 'success' }, token);
  /** Waits out the cool-down: the breaker's open-until, read from Redis, has passed. */
  const waitUntilHalfOpenable = async () => {
    const { openUntil } = await worker1.status(dependency);
    const redisNow =
      Number((await redis.time())[0]) * 1000 + Math.floor(Number((await redis.time())[1]) / 1000);
    await sleep(Math.max(0, Date.parse(openUntil ?? '') - redisNow) + 20);
  };

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    otherRedis = new Redis(REDIS_URL);
    subscriber = new Redis(REDIS_URL);
    worker1 = new BreakerStore(new FlowControlRedis(redis), prefix);
    worker2 = new BreakerStore(new FlowControlRedis(otherRedis), prefix);
    await subscriber.subscribe(worker1.keys.transitionsChannel);
    subscriber.on('message', (_channel, message: string) =>
      published.push(JSON.parse(message) as BreakerTransition),
    );
  });

  beforeEach(() => {
    dependency = `http:api-${randomUUID().slice(0, 8)}.example.com`;
    published.length = 0;
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await Promise.all([redis.quit(), otherRedis.quit(), subscriber.quit()]);
  });

  it('stays closed below N consecutive failures, and a success starts the count again', async () => {
    await fail(worker1, 2);
    await succeed(worker2);
    await fail(worker2, 2);
    expect(await worker1.status(dependency)).toMatchObject({ state: 'closed', failures: 2 });
    expect((await worker1.acquire(dependency, settings)).decision).toBe('allow');
  });

  it('opens after N consecutive failures, for every worker, and publishes the transition', async () => {
    await fail(worker1, 2);
    const third = await worker2.record(dependency, settings, { kind: 'failure' });
    expect(third).toMatchObject({ state: 'open', transitioned: 'open', reason: '3 consecutive failures' });
    for (const store of [worker1, worker2]) {
      const permission = await store.acquire(dependency, settings);
      expect(permission).toMatchObject({ decision: 'deny', state: 'open', probeToken: null });
      expect(permission.retryAt).toBe(third.openUntil);
    }
    const status = await worker1.status(dependency);
    expect(status.lastTransition).toMatchObject({ to: 'open', reason: '3 consecutive failures' });
    expect(Date.parse(status.openUntil ?? '') - Date.parse(status.lastTransition?.at ?? '')).toBe(
      settings.coolDownMs,
    );
    await waitFor(() => published.length === 1);
    expect(published[0]).toMatchObject({
      dependency,
      from: 'closed',
      to: 'open',
      openUntil: third.openUntil,
    });
  });

  it('opens on an error rate over the sliding window once it holds the minimum of calls', async () => {
    // Alternating: never 3 failures in a row, but half of all calls fail.
    for (let call = 0; call < 9; call++) {
      if (call % 2 === 0) await fail(call % 4 === 0 ? worker1 : worker2, 1);
      else await succeed(worker1);
    }
    expect((await worker1.status(dependency)).state).toBe('closed'); // 5 of 9: below the minimum of 10
    const tenth = await worker2.record(dependency, settings, { kind: 'failure' });
    expect(tenth).toMatchObject({
      state: 'open',
      transitioned: 'open',
      reason: '6 of 10 calls failed within 60000 ms',
    });
  });

  it('forgets calls older than the window', async () => {
    const short = { ...settings, windowMs: 200, failureThreshold: 100 };
    for (let call = 0; call < 9; call++)
      await worker1.record(dependency, short, { kind: call % 3 === 0 ? 'success' : 'failure' });
    await sleep(250);
    await worker1.record(dependency, short, { kind: 'failure' });
    expect((await worker1.status(dependency)).state).toBe('closed');
  });

  it.each([
    ['Retry-After', 1500],
    ['x-ratelimit-reset-requests', 6000],
  ])('a rate limit with a reset (%s) opens it for exactly that long', async (_header, resetMs) => {
    const recorded = await worker1.record(dependency, settings, { kind: 'rate-limited', resetMs });
    expect(recorded).toMatchObject({
      state: 'open',
      transitioned: 'open',
      reason: `rate limited for ${resetMs} ms`,
    });
    const status = await worker2.status(dependency);
    expect(Date.parse(status.openUntil ?? '') - Date.parse(status.lastTransition?.at ?? '')).toBe(resetMs);
    // A later reset told to another call while open pushes it back, without a new transition.
    const later = await worker2.record(dependency, settings, {
      kind: 'rate-limited',
      resetMs: resetMs + 1000,
    });
    expect(later.transitioned).toBeNull();
    expect(later.openUntil).toBeGreaterThanOrEqual((recorded.openUntil ?? 0) + 1000 - 50);
    expect((await worker1.status(dependency)).transitions).toBe(1);
  });

  it('counts a rate limit that names no reset as a failure', async () => {
    await worker1.record(dependency, settings, { kind: 'rate-limited', resetMs: null });
    expect(await worker1.status(dependency)).toMatchObject({ state: 'closed', failures: 1 });
  });

  it('half-open: lets a bounded number of probes through across both workers, and closes after M successes', async () => {
    await fail(worker1, 3);
    await waitUntilHalfOpenable();
    const first = await worker1.acquire(dependency, settings);
    expect(first).toMatchObject({ decision: 'probe', state: 'half_open', transitioned: 'half_open' });
    const second = await worker2.acquire(dependency, settings);
    expect(second).toMatchObject({ decision: 'probe', transitioned: null });
    const third = await worker2.acquire(dependency, settings);
    expect(third).toMatchObject({ decision: 'deny', state: 'half_open' });
    expect(third.retryAt).toBeGreaterThan(Date.now() - 1000);

    // A call begun while closed says nothing while half-open: only probes do.
    await succeed(worker1);
    expect(await worker1.status(dependency)).toMatchObject({ state: 'half_open' });
    expect(await succeed(worker1, first.probeToken)).toMatchObject({
      state: 'half_open',
      transitioned: null,
    });
    const closed = await succeed(worker2, second.probeToken);
    expect(closed).toMatchObject({ state: 'closed', transitioned: 'closed', reason: '2 probe(s) succeeded' });
    expect((await worker2.acquire(dependency, settings)).decision).toBe('allow');
    await waitFor(() => published.length === 3);
    expect(published.map(({ to }) => to)).toEqual(['open', 'half_open', 'closed']);
  });

  it('re-opens for another cool-down when a probe fails', async () => {
    await fail(worker2, 3);
    await waitUntilHalfOpenable();
    const probe = await worker1.acquire(dependency, settings);
    const reopened = await worker1.record(dependency, settings, { kind: 'failure' }, probe.probeToken);
    expect(reopened).toMatchObject({ state: 'open', transitioned: 'open', reason: 'a probe failed' });
    expect((await worker2.acquire(dependency, settings)).decision).toBe('deny');
  });

  it('gives back the probe of a worker that died when its lease ends', async () => {
    const leased = { ...settings, halfOpenProbes: 1, probeLeaseMs: 300 };
    await fail(worker1, 3);
    await waitUntilHalfOpenable();
    const orphan = await worker1.acquire(dependency, leased); // its worker dies: never reported
    expect(orphan.decision).toBe('probe');
    const refused = await worker2.acquire(dependency, leased);
    expect(refused.decision).toBe('deny');
    expect(refused.retryAt).not.toBeNull();
    await sleep(350);
    const taken = await worker2.acquire(dependency, leased);
    expect(taken.decision).toBe('probe');
    // The orphan's late answer no longer counts; the new probe's does.
    await worker1.record(dependency, leased, { kind: 'failure' }, orphan.probeToken);
    expect((await worker1.status(dependency)).state).toBe('half_open');
  });

  it('an ignored outcome gives a probe back without counting', async () => {
    const single = { ...settings, halfOpenProbes: 1 };
    await fail(worker1, 3);
    await waitUntilHalfOpenable();
    const probe = await worker1.acquire(dependency, single);
    await worker1.record(dependency, single, { kind: 'ignored' }, probe.probeToken);
    expect(await worker2.acquire(dependency, single)).toMatchObject({ decision: 'probe' });
  });

  it('reset closes an open breaker for everyone; an unknown dependency is null', async () => {
    await fail(worker1, 3);
    const reset = await worker2.reset(dependency);
    expect(reset).toMatchObject({ dependency, state: 'closed', failures: 0, openUntil: null });
    expect(reset?.lastTransition).toMatchObject({ to: 'closed', reason: 'reset by an admin' });
    expect((await worker1.acquire(dependency, settings)).decision).toBe('allow');
    expect(await worker1.reset('http:never-seen.example.com')).toBeNull();
  });

  it('lists every breaker some worker asked about', async () => {
    await worker1.acquire(dependency, settings);
    await fail(worker2, 3);
    const listed = await worker1.list();
    expect(listed.find((status) => status.dependency === dependency)).toMatchObject({
      state: 'open',
      transitions: 1,
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { StepLimit } from '@app/contracts';
import Redis from 'ioredis';
import { FairShare } from './fair-share';
import { FlowControlKeys } from './flow-control-keys';
import { FlowControlRedis } from './flow-control-redis';
import { LimitAdmissionCheck } from './limit-admission-check';
import { AdmissionStep, StepAdmissionGate } from './step-admission';
import { StepLimiter } from './step-limiter';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('StepLimiter and FairShare (real Redis)', () => {
  const prefix = `test-limits-${randomUUID().slice(0, 8)}`;
  const keys = new FlowControlKeys(prefix);
  let redis: Redis;
  let limiter: StepLimiter;
  let fairShare: FairShare;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    const flowControl = new FlowControlRedis(redis);
    limiter = new StepLimiter(flowControl, keys);
    fairShare = new FairShare(flowControl, keys);
  });

  afterAll(async () => {
    const found = await redis.keys(keys.pattern);
    if (found.length > 0) await redis.del(...found);
    await redis.quit();
  });

  describe('rate (GCRA)', () => {
    it('lets a burst through at once, then refuses with the wait until the next request conforms', async () => {
      const rate = { requests: 10, periodSeconds: 1, burst: 3 };
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await limiter.takeRate('burst', 'a', rate));
      expect(answers.slice(0, 3).every((answer) => answer.isAllowed)).toBe(true);
      const refused = answers[3];
      expect(refused.isAllowed).toBe(false);
      // One emission interval (100 ms) after the first request, less the time spent asking.
      if (!refused.isAllowed) {
        expect(refused.retryInMs).toBeGreaterThan(50);
        expect(refused.retryInMs).toBeLessThanOrEqual(100);
      }
      // Another key value has a budget of its own.
      expect((await limiter.takeRate('burst', 'b', rate)).isAllowed).toBe(true);
    });

    it('spaces requests at the configured rate when each waits as long as it is told', async () => {
      const rate = { requests: 20, periodSeconds: 1 };
      // Each admission happened (by Redis's clock) between the call's sending and its answer.
      const admitted: { asked: number; answered: number }[] = [];
      const begin = Date.now();
      while (admitted.length < 21) {
        const asked = Date.now();
        const answer = await limiter.takeRate('spacing', 'a', rate);
        if (answer.isAllowed) admitted.push({ asked: asked - begin, answered: Date.now() - begin });
        else await sleep(answer.retryInMs);
      }
      // 21 requests at 20/s with no burst: the last one 1 s after the first, never sooner.
      expect(admitted[20].answered).toBeGreaterThanOrEqual(990);
      expect(admitted[20].asked).toBeLessThan(1400);
      // Two admissions 50 ms apart: however long each answer took to come back, the later one's
      // answer cannot arrive sooner than 50 ms after the earlier one was asked (1 ms: the clocks' rounding).
      const gaps = admitted.slice(1).map((at, i) => at.answered - admitted[i].asked);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(49);
    });

    it('counts nothing for a refused request', async () => {
      const rate = { requests: 1, periodSeconds: 0.2 };
      expect((await limiter.takeRate('refused', 'a', rate)).isAllowed).toBe(true);
      for (let i = 0; i < 5; i++)
        expect((await limiter.takeRate('refused', 'a', rate)).isAllowed).toBe(false);
      await sleep(210);
      expect((await limiter.takeRate('refused', 'a', rate)).isAllowed).toBe(true);
    });
  });

  describe('concurrency (leased slots)', () => {
    const concurrency = { slots: 2, leaseSeconds: 10 };

    it('gives out the slots, refuses one more, and gives a released slot to the next', async () => {
      expect((await limiter.takeSlot('slots', 'a', concurrency, 't1')).isAllowed).toBe(true);
      expect((await limiter.takeSlot('slots', 'a', concurrency, 't2')).isAllowed).toBe(true);
      const refused = await limiter.takeSlot('slots', 'a', concurrency, 't3');
      expect(refused).toEqual({ isAllowed: false, retryInMs: expect.any(Number) });
      await limiter.releaseSlot('slots', 'a', 't1');
      expect((await limiter.takeSlot('slots', 'a', concurrency, 't3')).isAllowed).toBe(true);
      expect(await redis.zcard(keys.slots('slots', 'a'))).toBe(2);
    });

    it('frees the slot of a holder that stopped renewing when its lease ends, not before', async () => {
      const short = { slots: 1, leaseSeconds: 0.4 };
      expect((await limiter.takeSlot('lease', 'a', short, 'dead')).isAllowed).toBe(true);
      const refused = await limiter.takeSlot('lease', 'a', short, 'next');
      expect(refused.isAllowed).toBe(false);
      if (refused.isAllowed) return;
      expect(refused.retryInMs).toBeGreaterThan(300);
      expect(refused.retryInMs).toBeLessThanOrEqual(400);
      await sleep(refused.retryInMs + 5);
      expect((await limiter.takeSlot('lease', 'a', short, 'next')).isAllowed).toBe(true);
    });

    it('keeps a renewed lease past its first end, and says when a lease was already lost', async () => {
      const short = { slots: 1, leaseSeconds: 0.3 };
      expect((await limiter.takeSlot('renew', 'a', short, 'holder')).isAllowed).toBe(true);
      for (let i = 0; i < 4; i++) {
        await sleep(100);
        expect(await limiter.renewSlot('renew', 'a', short, 'holder')).toBe(true);
      }
      expect((await limiter.takeSlot('renew', 'a', short, 'other')).isAllowed).toBe(false);
      await sleep(350);
      expect(await limiter.renewSlot('renew', 'a', short, 'holder')).toBe(false);
    });
  });

  describe('the limit check through the gate', () => {
    const limits: StepLimit[] = [
      {
        name: 'provider',
        key: ['agent', 'tenant'],
        concurrency: { slots: 1 },
        rate: { requests: 50, periodSeconds: 1, burst: 5 },
      },
    ];
    const warnings: string[] = [];
    const check = () =>
      new LimitAdmissionCheck(limiter, new Map(), { warn: (message) => warnings.push(message) });
    const step = (overrides: Partial<AdmissionStep> = {}): AdmissionStep => ({
      workflowId: 'w1',
      stepId: 's1',
      queue: 'steps.content@1',
      agent: 'content',
      tenantId: 'acme',
      hasWorkflowLimits: false,
      agentLimits: limits,
      details: () => Promise.resolve(null),
      ...overrides,
    });

    it('refuses a second step of the same key with a reason naming the limit, until the first releases', async () => {
      const gate = new StepAdmissionGate([check()]);
      const first = await gate.admit(step());
      expect(first.admitted).toBe(true);
      const second = await gate.admit(step({ workflowId: 'w2' }));
      expect(second).toMatchObject({
        admitted: false,
        kind: 'concurrency',
        reason: 'concurrency limit agent=content tenant=acme: 1 at once (agent:content/provider)',
      });
      // Another tenant's key flows meanwhile.
      const other = await gate.admit(step({ workflowId: 'w3', tenantId: 'globex' }));
      expect(other.admitted).toBe(true);
      if (first.admitted) await first.release();
      if (other.admitted) await other.release();
      expect((await gate.admit(step({ workflowId: 'w2' }))).admitted).toBe(true);
    });

    it('hands a slot given back to a step of the process asking for it in the same tick, with no Redis call; else releases it at the end of the tick', async () => {
      const pool = keys.slots('agent:content/provider', 'agent=content tenant=handover');
      const gate = new StepAdmissionGate([check()]);
      const on = (workflowId: string) => step({ workflowId, tenantId: 'handover' });
      const first = await gate.admit(on('w1'));
      if (!first.admitted) throw new Error('the first step was refused');
      expect(await redis.zcard(pool)).toBe(1);
      const [holder] = await redis.zrange(pool, 0, 0);
      const takes = jest.spyOn(limiter, 'takeSlot');
      const releases = jest.spyOn(limiter, 'releaseSlot');
      try {
        // A finishing step gives its slot back as its successor asks, as the step runner does.
        const givingBack = first.release();
        const second = await gate.admit(on('w2'));
        await givingBack;
        expect(second.admitted).toBe(true);
        expect([takes.mock.calls.length, releases.mock.calls.length]).toEqual([0, 0]);
        expect(await redis.zrange(pool, 0, -1)).toEqual([holder]);
        // Nobody asks this time: the slot is released in Redis once the tick ends.
        if (second.admitted) await second.release();
        expect(releases.mock.calls.length).toBe(1);
        expect(await redis.zcard(pool)).toBe(0);
      } finally {
        takes.mockRestore();
        releases.mockRestore();
      }
    });

    it('reads a missing input field as one shared budget and logs it', async () => {
      const byInput: StepLimit[] = [
        { name: 'per-site', key: ['input.site.id'], rate: { requests: 1, periodSeconds: 60 } },
      ];
      const details = () =>
        Promise.resolve({
          subject: { agent: 'content', tenant: 'acme', workflowType: 'T', input: {}, preferences: {} },
          workflowLimits: [],
        });
      const gate = new StepAdmissionGate([check()]);
      expect((await gate.admit(step({ agentLimits: byInput, details }))).admitted).toBe(true);
      expect(await gate.admit(step({ agentLimits: byInput, details }))).toMatchObject({
        admitted: false,
        reason: expect.stringContaining('rate limit input.site.id=-: 1/60s'),
      });
      expect(warnings.some((line) => line.includes('has no input.site.id'))).toBe(true);
    });
  });

  describe('fair share', () => {
    const queueMany = async (queue: string, tenantId: string, count: number, priority = 3) => {
      const places = [];
      for (let i = 0; i < count; i++) places.push(await fairShare.queued(queue, { tenantId, priority }));
      return places;
    };

    it('puts a new tenant where the queue is served, ahead of a backlog, and priority 1 ahead of priority 3 within a tenant', async () => {
      const queue = `q-${randomUUID()}`;
      const backlog = await queueMany(queue, 'a', 100);
      expect(backlog.map((place) => place.band)).toEqual([...Array(100).keys()]);
      expect(backlog[0].jobPriority).toBe(3);
      expect(backlog[99].jobPriority).toBe(1 + 5 * 99 + 2);
      // Tenant b's first step: band 0, behind only a's first step (3 = 3, first in first out).
      expect((await fairShare.queued(queue, { tenantId: 'b', priority: 3 })).jobPriority).toBe(3);
      // Tenant a's urgent workflow takes the first band free of a's priority-1 steps...
      expect((await fairShare.queued(queue, { tenantId: 'a', priority: 1 })).jobPriority).toBe(1);
      // ...and a's next priority-3 step comes after it and after a's backlog.
      expect((await fairShare.queued(queue, { tenantId: 'a', priority: 3 })).band).toBe(100);
    });

    it("keeps a tenant's steps in the order they were queued while earlier ones are taken", async () => {
      const queue = `q-${randomUUID()}`;
      const first = await queueMany(queue, 'a', 20);
      for (const place of first.slice(0, 10))
        await fairShare.taken(queue, { tenantId: 'a', band: place.band });
      const [later] = await queueMany(queue, 'a', 1);
      // Counting what is left queued (10) would put it in band 10, ahead of nine older steps.
      expect(later.band).toBe(20);
      expect(later.jobPriority).toBeGreaterThan(Math.max(...first.map((place) => place.jobPriority)));
    });

    it('starts a tenant that begins queuing at the band being served, not at 0 nor behind the others', async () => {
      const queue = `q-${randomUUID()}`;
      const backlog = await queueMany(queue, 'a', 50);
      for (const place of backlog.slice(0, 30))
        await fairShare.taken(queue, { tenantId: 'a', band: place.band });
      // b lands beside the step being served (band 29): ahead of a's 20 still queued, behind none
      // that were already taken.
      expect((await fairShare.queued(queue, { tenantId: 'b', priority: 3 })).band).toBe(29);
    });

    it('starts the bands over once nothing is queued, and voids the bands a tenant held before', async () => {
      const queue = `q-${randomUUID()}`;
      const a = await queueMany(queue, 'a', 5);
      const b = await queueMany(queue, 'b', 5);
      for (const place of a) await fairShare.taken(queue, { tenantId: 'a', band: place.band });
      for (const place of b.slice(0, 4)) await fairShare.taken(queue, { tenantId: 'b', band: place.band });
      // Tenant c joins while b's last step (band 4) is still queued.
      expect((await fairShare.queued(queue, { tenantId: 'c', priority: 3 })).band).toBe(4);
      await fairShare.taken(queue, { tenantId: 'b', band: b[4].band });
      await fairShare.taken(queue, { tenantId: 'c', band: 4 });
      expect((await fairShare.queued(queue, { tenantId: 'a', priority: 3 })).band).toBe(0);
      expect((await fairShare.queued(queue, { tenantId: 'a', priority: 3 })).band).toBe(1);
      // A job queued before bands existed is counted without moving the clock.
      await fairShare.taken(queue, { tenantId: 'a' });
      expect((await fairShare.queued(queue, { tenantId: 'b', priority: 3 })).band).toBe(0);
    });
  });
});

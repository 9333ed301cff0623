import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { FlowControlKeys } from '../flow-control-keys';
import { FlowControlRedis } from '../flow-control-redis';
import { AdmissionStep } from '../step-admission';
import { BUDGET_RECHECK_MS, BudgetAdmissionCheck } from './budget-admission-check';
import { BudgetStore, exhaustedLimitOf } from './budget-store';
import { BudgetedSubjects } from './budgeted-subjects';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('BudgetStore and BudgetAdmissionCheck (real Redis)', () => {
  const prefix = `test-budgets-${randomUUID().slice(0, 8)}`;
  const keys = new FlowControlKeys(prefix);
  let redis: Redis;
  let flowControl: FlowControlRedis;
  let budgets: BudgetStore;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    flowControl = new FlowControlRedis(redis);
    budgets = new BudgetStore(flowControl, keys, { tenantDaily: { tokens: 1000 } });
  });

  afterAll(async () => {
    const found = await redis.keys(keys.pattern);
    if (found.length > 0) await redis.del(...found);
    await redis.quit();
  });

  const stepOf = (workflowId: string, tenantId: string, agent: string): AdmissionStep => ({
    workflowId,
    stepId: 'write',
    attempt: 2,
    queue: `steps.${agent}@1`,
    agent,
    tenantId,
    hasWorkflowLimits: false,
    agentLimits: [],
    details: async () => null,
  });

  it('counts every call against its workflow, its tenant today and its agent today, cost to the fraction', async () => {
    const spender = { workflowId: randomUUID(), tenantId: 'count', agent: 'writer' };
    await budgets.spend(spender, { tokens: 120, costUsd: 0.0012 });
    await budgets.spend(spender, { tokens: 30, costUsd: 0.0003 });
    await budgets.spend(spender, { tokens: 0, costUsd: 0 }); // spent nothing: not even a key touched
    for (const [scope, subject] of [
      ['workflow', spender.workflowId],
      ['tenant', 'count'],
      ['agent', 'writer'],
    ] as const) {
      const standing = await budgets.read(scope, subject);
      expect(standing.spent.tokens).toBe(150);
      expect(standing.spent.costUsd).toBeCloseTo(0.0015, 10);
    }
    expect((await budgets.read('tenant', 'someone-else')).spent).toEqual({ tokens: 0, costUsd: 0 });
  });

  it("keeps a tenant's days apart by key, each expiring a day after its UTC day ends", async () => {
    const spender = { workflowId: randomUUID(), tenantId: 'days', agent: 'writer' };
    const now = new Date();
    const today = now.toISOString().slice(0, 10);
    await budgets.spend(spender, { tokens: 999, costUsd: 0 }, now);
    expect((await budgets.read('tenant', 'days', now)).spent.tokens).toBe(999);
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 24 * 3600 * 1000 + 1);
    expect(await budgets.read('tenant', 'days', tomorrow)).toMatchObject({
      period: tomorrow.toISOString().slice(0, 10),
      spent: { tokens: 0, costUsd: 0 },
    });
    // Today's counts go at the end of tomorrow: late workers and admins can still read them.
    const expiresAt = await redis.pexpiretime(keys.budget('tenant', 'days', today).spent);
    expect(expiresAt).toBe(Date.parse(`${today}T00:00:00Z`) + 2 * 24 * 3600 * 1000);
    // A call counted against a day that ended more than a day ago leaves nothing behind.
    const lastWeek = new Date(now.getTime() - 7 * 24 * 3600 * 1000);
    await budgets.spend(spender, { tokens: 5, costUsd: 0 }, lastWeek);
    expect(await redis.exists(keys.budget('tenant', 'days', lastWeek.toISOString().slice(0, 10)).spent)).toBe(
      0,
    );
  });

  it('is exhausted once spent reaches a limit (tokens or cost), not before', async () => {
    const tenant = `edge-${randomUUID().slice(0, 6)}`;
    const spender = { workflowId: randomUUID(), tenantId: tenant, agent: 'writer' };
    await budgets.spend(spender, { tokens: 999, costUsd: 0 });
    expect(exhaustedLimitOf(await budgets.read('tenant', tenant))).toBeNull(); // the default: 1000 tokens
    await budgets.spend(spender, { tokens: 1, costUsd: 0 });
    expect(exhaustedLimitOf(await budgets.read('tenant', tenant))).toBe('tokens');
    await budgets.set('workflow', spender.workflowId, { costUsd: 0.5 });
    expect(exhaustedLimitOf(await budgets.read('workflow', spender.workflowId))).toBeNull();
    await budgets.spend(spender, { tokens: 0, costUsd: 0.5 });
    expect(exhaustedLimitOf(await budgets.read('workflow', spender.workflowId))).toBe('costUsd');
  });

  it("lets an admin's budget replace the default, lift it ('off'), or give it back", async () => {
    const tenant = `admin-${randomUUID().slice(0, 6)}`;
    await budgets.set('tenant', tenant, { tokens: 5000, costUsd: 1 });
    expect((await budgets.read('tenant', tenant)).limit).toEqual({ tokens: 5000, costUsd: 1 });
    await budgets.set('tenant', tenant, { tokens: null });
    expect((await budgets.read('tenant', tenant)).limit).toEqual({ tokens: null, costUsd: null });
    await budgets.set('tenant', tenant, {});
    expect((await budgets.read('tenant', tenant)).limit).toEqual({ tokens: 1000, costUsd: null });
    await budgets.set('workflow', 'w1', { tokens: 10 });
    expect(await redis.pttl(keys.budget('workflow', 'w1', 'all').limit)).toBeGreaterThan(0);
  });

  it('refuses a step whose tenant has spent its day, names the budget, and remembers the job for waking', async () => {
    const tenant = `acme-${randomUUID().slice(0, 6)}`;
    const workflowId = randomUUID();
    const budgeted = new BudgetedSubjects(budgets);
    await budgeted.refresh();
    const check = new BudgetAdmissionCheck(budgets, budgeted, (w, s, a) => `${w}.${s}.${a}`);
    // The deployment's default budgets every tenant.
    expect(check.appliesTo(stepOf(workflowId, tenant, 'writer'))).toBe(true);
    expect((await check.admit(stepOf(workflowId, tenant, 'writer'))).admitted).toBe(true);
    await budgets.spend({ workflowId, tenantId: tenant, agent: 'writer' }, { tokens: 1000, costUsd: 0.01 });
    const refused = await check.admit(stepOf(workflowId, tenant, 'writer'));
    expect(refused).toMatchObject({
      admitted: false,
      kind: 'budget',
      reason: `budget exhausted: tenant ${tenant} today 1000/1000 tokens`,
    });
    if (!refused.admitted) {
      expect(refused.retryInMs).toBeGreaterThanOrEqual(BUDGET_RECHECK_MS);
      expect(refused.retryInMs).toBeLessThanOrEqual(BUDGET_RECHECK_MS * 1.2 + 1);
    }
    // Another tenant's step is untouched.
    expect((await check.admit(stepOf(randomUUID(), `other-${tenant}`, 'writer'))).admitted).toBe(true);
    expect(await budgets.takeWaiting('tenant', tenant)).toEqual([
      { queue: 'steps.writer@1', jobId: `${workflowId}.write.2` },
    ]);
    expect(await budgets.takeWaiting('tenant', tenant)).toEqual([]);
    // Raised: it begins.
    await budgets.set('tenant', tenant, { tokens: 2000 });
    expect((await check.admit(stepOf(workflowId, tenant, 'writer'))).admitted).toBe(true);
  });

  it('names every budget a step waits for, and a subject with braces gets a key of its own', async () => {
    const workflowId = randomUUID();
    const tenant = `{b}-${randomUUID().slice(0, 6)}`;
    await budgets.set('workflow', workflowId, { tokens: 100 });
    await budgets.set('agent', 'pricey', { costUsd: 0.02 });
    await budgets.spend({ workflowId, tenantId: tenant, agent: 'pricey' }, { tokens: 150, costUsd: 0.0213 });
    const budgeted = new BudgetedSubjects(budgets);
    await budgeted.refresh();
    const check = new BudgetAdmissionCheck(budgets, budgeted, (w, s, a) => `${w}.${s}.${a}`);
    const refused = await check.admit(stepOf(workflowId, tenant, 'pricey'));
    expect(refused).toMatchObject({
      admitted: false,
      reason: 'budget exhausted: workflow 150/100 tokens; agent pricey today 0.0213/0.02 USD',
    });
    expect(keys.budget('tenant', tenant, 'all').limit).toContain('{budget:tenant:%7bb%7d-');
    await budgets.set('agent', 'pricey', {});
  });

  it('reads only the budgets that exist: a step nobody budgeted is not asked about, one budgeted after a refresh is', async () => {
    // No deployment defaults: only what admins set, and a workflow started with a budget.
    const unbudgeted = new BudgetStore(flowControl, keys);
    const budgeted = new BudgetedSubjects(unbudgeted);
    const check = new BudgetAdmissionCheck(unbudgeted, budgeted, (w, s, a) => `${w}.${s}.${a}`);
    const agent = `agent-${randomUUID().slice(0, 6)}`;
    const step = stepOf(randomUUID(), `t-${randomUUID().slice(0, 6)}`, agent);
    // Before the index was read, every step is checked: a failure costs reads, never a budget.
    expect(check.appliesTo(step)).toBe(true);
    await budgeted.refresh();
    expect(check.appliesTo(step)).toBe(false);
    expect(check.appliesTo({ ...step, hasBudget: true })).toBe(true);

    await unbudgeted.set('agent', agent, { tokens: 10 });
    expect(check.appliesTo(step)).toBe(false); // until the next refresh
    await budgeted.refresh();
    expect(check.appliesTo(step)).toBe(true);
    await unbudgeted.spend(
      { workflowId: step.workflowId, tenantId: step.tenantId, agent },
      { tokens: 10, costUsd: 0 },
    );
    expect(await check.admit(step)).toMatchObject({
      admitted: false,
      reason: `budget exhausted: agent ${agent} today 10/10 tokens`,
    });

    // Lifted (nothing left but 'off' or defaults): out of the index again.
    await unbudgeted.set('agent', agent, { tokens: null });
    await budgeted.refresh();
    expect(check.appliesTo(step)).toBe(false);
  });

  it("drops a workflow's budget from the index once it lapses, and answers an unchanged index with its version alone", async () => {
    const workflowId = randomUUID();
    const longAgo = Date.now() - 40 * 24 * 3600 * 1000;
    await budgets.set('workflow', workflowId, { tokens: 5 }, longAgo);
    const changed = await budgets.subjects('');
    expect(changed?.subjects).not.toContain(`workflow:${workflowId}`);
    expect(await budgets.subjects(changed!.version)).toBeNull();
  });

  it('hears a change announced by another process and reads the index again at once, without waiting for its poll', async () => {
    const unbudgeted = new BudgetStore(flowControl, keys);
    const budgeted = new BudgetedSubjects(unbudgeted, {
      subscriber: new Redis(REDIS_URL),
      refreshMs: 60_000,
    });
    try {
      await budgeted.start();
      const tenant = `heard-${randomUUID().slice(0, 6)}`;
      expect(budgeted.has('tenant', tenant)).toBe(false);
      await unbudgeted.set('tenant', tenant, { costUsd: 1 });
      const deadline = Date.now() + 5_000;
      while (!budgeted.has('tenant', tenant) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(budgeted.has('tenant', tenant)).toBe(true);
    } finally {
      await budgeted.close();
    }
  });
});

import { Agent } from '@app/agent-sdk';
import { WorkflowType } from '@app/contracts';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditOutput } from './audit/audit.agent';
import { BuiltSite } from './builder/site-renderer';
import { DeployOutput } from './deploy/deploy.agent';
import { SiteRepository } from '@app/sites';
import { contrastRatio } from './design/color-contrast';
import { DesignSystem } from './design/design-system.model';
import { SessionMemoryStore } from './memory/session-memory.store';
import { PlannerOutput } from './planner/planner.agent';
import { blockingFindings } from './testing/audit-blockers';
import { runWorkflow } from './testing/website-workflow.runner';
import { createWebsiteAgents } from './website-agents.factory';

describe('website workflows, agent by agent, on real Redis and a real sites directory', () => {
  let redis: Redis;
  let sitesDir: string;
  let agents: Agent[];
  let repository: SiteRepository;
  let store: SessionMemoryStore;
  const keyPrefix = `test:agents:${randomUUID()}:`;

  beforeAll(async () => {
    redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    sitesDir = await mkdtemp(join(tmpdir(), 'agents-sites-'));
    agents = createWebsiteAgents({ redis, keyPrefix, sessionTtlHours: 1, sitesDir });
    repository = new SiteRepository({ sitesDir });
    store = new SessionMemoryStore({ redis, keyPrefix, ttlHours: 1 });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await rm(sitesDir, { recursive: true, force: true });
  });

  const requests: Array<[string, string]> = [
    ['portfolio', 'Create a portfolio website for a wildlife photographer, dark theme'],
    ['blog', 'Make a blog about sourdough baking with a friendly tone'],
    ['restaurant', "Build a website for Luigi's, an Italian trattoria in Naples, with green accents"],
    ['trades', 'Create a website for a family plumbing business in Leeds with a FAQ page'],
    ['event', 'A landing page for the Harbour Jazz Festival on 14 June 2025 in Bristol'],
    ['personal', 'My personal website: I am a software engineer who loves hiking'],
  ];

  it.each(requests)('publishes a valid, accessible %s site from one sentence', async (kind, request) => {
    const sessionId = `session-${randomUUID()}`;
    const run = await runWorkflow(agents, { type: WorkflowType.CreateSite, sessionId, input: { request } });

    const { spec } = run.outputs.planner as PlannerOutput;
    expect(spec.kind).toBe(kind);
    const built = run.outputs.builder as BuiltSite;
    expect(built.pages[0]).toBe('index.html');
    expect(built.pages.length).toBe(spec.pages.length);

    const audit = run.outputs.audit as AuditOutput;
    const blocking = blockingFindings(audit.findings);
    expect(blocking).toEqual([]);
    expect(audit.passed).toBe(true);

    const design = run.outputs.design as DesignSystem;
    for (const check of design.contrastChecks) {
      expect(contrastRatio(check.foregroundColor, check.backgroundColor)).toBeGreaterThanOrEqual(4.5);
    }

    const deploy = run.outputs.deploy as DeployOutput;
    expect(deploy).toEqual({
      siteId: expect.stringMatching(/^[a-z0-9-]+-[0-9a-f]{6}$/),
      version: 1,
      path: `/sites/${deploy.siteId}/`,
      action: 'published',
    });
    const served = await repository.readFiles(deploy.siteId);
    expect(served.files).toEqual(built.files);
    const memory = await store.load(sessionId);
    expect(memory).toMatchObject({ siteId: deploy.siteId, siteSpec: spec });
    expect(memory.history.map((entry) => entry.request)).toEqual([request]);
  });

  it('audits the published site again with AUDIT_ONLY and finds it clean', async () => {
    const sessionId = `session-${randomUUID()}`;
    const created = await runWorkflow(agents, {
      type: WorkflowType.CreateSite,
      sessionId,
      input: { request: 'Create a blog about urban gardening' },
    });
    const { siteId } = created.outputs.deploy as DeployOutput;
    const audited = await runWorkflow(agents, { type: WorkflowType.AuditOnly, sessionId, input: { siteId } });
    expect(audited.outputs.audit).toMatchObject({ siteId, version: 1, passed: true, findings: [] });
  });

  it('updates the session site as a new version, then rolls back to the previous one', async () => {
    const sessionId = `session-${randomUUID()}`;
    const created = await runWorkflow(agents, {
      type: WorkflowType.CreateSite,
      sessionId,
      input: { request: 'Create a portfolio website for a wildlife photographer, dark theme' },
    });
    const { siteId } = created.outputs.deploy as DeployOutput;
    const before = (created.outputs.planner as PlannerOutput).spec;
    expect(before.theme.mode).toBe('dark');

    const updated = await runWorkflow(agents, {
      type: WorkflowType.UpdateSite,
      sessionId,
      input: { request: 'add a blog page and make it light' },
    });
    const planned = updated.outputs.planner as PlannerOutput;
    expect(planned.change).toBe('Added a Blog page; Switched to a light theme');
    expect(planned.spec.pages.map((page) => page.slug)).toEqual([
      ...before.pages.map((page) => page.slug),
      'blog',
    ]);
    expect((updated.outputs.design as DesignSystem).mode).toBe('light');
    expect(updated.outputs.deploy).toEqual({
      siteId,
      version: 2,
      path: `/sites/${siteId}/`,
      action: 'published',
    });
    expect((updated.outputs.builder as BuiltSite).files['index.html']).toContain('href="blog.html"');
    expect(await repository.resolveFile(siteId, 'blog')).toMatchObject({ version: 2 });

    const rolledBack = await runWorkflow(agents, {
      type: WorkflowType.DeployOnly,
      sessionId,
      input: { siteId },
    });
    expect(rolledBack.outputs.deploy).toEqual({
      siteId,
      version: 1,
      path: `/sites/${siteId}/`,
      action: 'activated',
    });
    expect(await repository.currentVersion(siteId)).toBe(1);
    expect(await repository.resolveFile(siteId, 'blog.html')).toBeNull();
    expect(await repository.listVersions(siteId)).toEqual([1, 2]);
    // The next update starts from the spec that is live again, not from the rolled-back one.
    expect((await store.load(sessionId)).siteSpec).toEqual(before);

    const republished = await runWorkflow(agents, {
      type: WorkflowType.DeployOnly,
      sessionId,
      input: { siteId, version: 2 },
    });
    expect(republished.outputs.deploy).toMatchObject({ version: 2, action: 'activated' });
    expect(await repository.resolveFile(siteId, 'blog.html')).toMatchObject({ version: 2 });
  });

  it('refuses UPDATE_SITE for a session that has no site yet', async () => {
    const sessionId = `session-${randomUUID()}`;
    await expect(
      runWorkflow(agents, {
        type: WorkflowType.UpdateSite,
        sessionId,
        input: { request: 'add a blog page' },
      }),
    ).rejects.toThrow(`session ${sessionId} has no site to update; run CREATE_SITE first`);
  });

  it('ignores unknown preferences with a warning and applies the known ones', async () => {
    const sessionId = `session-${randomUUID()}`;
    const run = await runWorkflow(agents, {
      type: WorkflowType.CreateSite,
      sessionId,
      input: { request: 'Create a website for a bakery in Lyon' },
      preferences: { theme: 'light', primaryColor: '#ffff00', sparkles: true },
    });
    expect(run.contexts.memory.logs).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringContaining('unknown preference "sparkles"'),
      }),
    );
    const design = run.outputs.design as DesignSystem;
    expect(design.mode).toBe('light');
    expect(design.palette.link).not.toBe('#ffff00');
    expect(run.contexts.design.logs).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringContaining('preference primaryColor #ffff00'),
      }),
    );
    expect((run.outputs.audit as AuditOutput).passed).toBe(true);
  });

  it('keeps a strict auditor from publishing a site that misses its threshold, after sending it back twice', async () => {
    // Over the size budget costs 8 points: 92 passes the default threshold but not 95.
    const strict = createWebsiteAgents({
      redis,
      keyPrefix,
      sessionTtlHours: 1,
      sitesDir,
      sizeBudgetBytes: 1000,
      auditThreshold: 95,
    });
    const sessionId = `session-${randomUUID()}`;
    await expect(
      runWorkflow(strict, {
        type: WorkflowType.CreateSite,
        sessionId,
        input: { request: 'Create a blog about chess openings' },
      }),
    ).rejects.toThrow(
      // The builder is sent the findings twice, but a size budget is nothing it can fix.
      /^audit still failing after 3 iterations: the site failed its audit \(score 92, threshold 95\).*size-budget/,
    );
    expect((await store.load(sessionId)).siteId).toBeNull();
  });
});

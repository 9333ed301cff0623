import { ValidationError } from '@app/agent-sdk';
import { WorkflowType } from '@app/contracts';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionMemoryStore } from '../memory/session-memory.store';
import { planSiteByRules } from '../planner/site-request.rules';
import { createTestContext } from '../testing/agent-context.fixture';
import { DeployAgent } from './deploy.agent';
import { SiteRepository } from '@app/sites';

describe('DeployAgent on real Redis and a sites directory', () => {
  let redis: Redis;
  let sitesDir: string;
  let repository: SiteRepository;
  let store: SessionMemoryStore;
  let agent: DeployAgent;
  const keyPrefix = `test:deploy:${randomUUID()}:`;
  const spec = planSiteByRules('Make a blog about tea').spec;
  const built = { files: { 'index.html': '<!DOCTYPE html><title>Tea</title>' }, pages: ['index.html'] };

  beforeAll(async () => {
    redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    store = new SessionMemoryStore({ redis, keyPrefix, ttlHours: 1 });
  });

  beforeEach(async () => {
    sitesDir = await mkdtemp(join(tmpdir(), 'deploy-agent-'));
    repository = new SiteRepository({ sitesDir });
    agent = new DeployAgent({ repository, store });
  });

  afterEach(async () => {
    await rm(sitesDir, { recursive: true, force: true });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const createContext = (overrides: Parameters<typeof createTestContext>[0] = {}) =>
    createTestContext({
      workflowType: WorkflowType.CreateSite,
      dependencies: {
        planner: { spec, change: null, source: 'offline' },
        builder: built,
        audit: { passed: true, score: 100 },
      },
      ...overrides,
    });

  it('names a new site after the spec, publishes version 1 and remembers it in the session', async () => {
    const context = createContext();
    const output = await agent.execute(context);
    expect(output).toEqual({
      siteId: expect.stringMatching(/^tea-blog-[0-9a-f]{6}$/),
      version: 1,
      path: `/sites/${output.siteId}/`,
      action: 'published',
    });
    expect(await store.load(context.sessionId)).toMatchObject({ siteId: output.siteId, siteSpec: spec });
    expect((await repository.readVersion(output.siteId)).metadata).toMatchObject({
      workflowId: context.workflowId,
      spec,
    });
  });

  it('does not publish twice when the engine retries a step whose first attempt published', async () => {
    const first = createContext();
    const published = await agent.execute(first);
    const retried = await agent.execute(
      createContext({ workflowId: first.workflowId, sessionId: first.sessionId, attempt: 2 }),
    );
    expect(retried).toEqual(published);
    expect((await repository.listSites()).map((site) => site.siteId)).toEqual([published.siteId]);
    expect(await repository.listVersions(published.siteId)).toEqual([1]);
  });

  it('refuses to publish a site whose audit failed', async () => {
    const context = createContext({
      dependencies: { planner: { spec }, builder: built, audit: { passed: false, score: 40 } },
    });
    await expect(agent.execute(context)).rejects.toThrow(
      new ValidationError('the site failed its audit (score 40); not publishing it'),
    );
    expect(await repository.listSites()).toEqual([]);
  });

  it('refuses to roll back a site with only one version, and a version that does not exist', async () => {
    const { siteId } = await agent.execute(createContext());
    const rollback = (input: Record<string, unknown>) =>
      agent.execute(createTestContext({ workflowType: WorkflowType.DeployOnly, input }));
    await expect(rollback({ siteId })).rejects.toThrow(
      `site ${siteId} has no version before 1 to roll back to`,
    );
    await expect(rollback({ siteId, version: 3 })).rejects.toThrow(`site ${siteId} has no version 3`);
    await expect(rollback({ siteId: 'nope' })).rejects.toThrow('site nope is not published');
    await expect(rollback({ siteId, version: 0 })).rejects.toThrow(
      'input.version must be a whole number from 1',
    );
    expect(await repository.currentVersion(siteId)).toBe(1);
  });

  it('leaves another session’s memory alone when it rolls back that session’s site', async () => {
    const owner = createContext();
    const { siteId } = await agent.execute(owner);
    await agent.execute(
      createContext({
        workflowType: WorkflowType.UpdateSite,
        sessionId: owner.sessionId,
        dependencies: {
          planner: { spec: { ...spec, name: 'Two' }, change: 'x' },
          builder: built,
          memory: { siteId },
        },
      }),
    );
    const otherSession = `other-${randomUUID()}`;
    await store.saveSite(otherSession, { siteId: 'mine-000000', spec });

    await agent.execute(
      createTestContext({
        workflowType: WorkflowType.DeployOnly,
        sessionId: otherSession,
        input: { siteId },
      }),
    );

    expect((await store.load(otherSession)).siteId).toBe('mine-000000');
    expect(await repository.currentVersion(siteId)).toBe(1);
  });
});

import { ValidationError } from '@app/agent-sdk';
import { WorkflowType } from '@app/contracts';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { planSiteByRules } from '../planner/site-request.rules';
import { createTestContext } from '../testing/agent-context.fixture';
import { MemoryAgent } from './memory.agent';
import { HISTORY_LIMIT, SessionMemoryStore } from './session-memory.store';
import { SessionMemoryKeys } from './session-memory-keys';

describe('session memory on real Redis', () => {
  let redis: Redis;
  let store: SessionMemoryStore;
  const keyPrefix = `test:memory:${randomUUID()}`;
  const keys = new SessionMemoryKeys(keyPrefix);

  beforeAll(async () => {
    redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    store = new SessionMemoryStore({ redis, keyPrefix, ttlHours: 2 });
  });

  afterAll(async () => {
    const written = await redis.keys(`${keyPrefix}:*`);
    if (written.length > 0) await redis.del(...written);
    await redis.quit();
  });

  const record = (workflowId: string, request = 'Make a blog about tea') => ({
    workflowId,
    workflowType: 'CREATE_SITE',
    request,
    receivedAt: new Date().toISOString(),
  });

  describe('SessionMemoryStore', () => {
    it('remembers nothing for a new session', async () => {
      expect(await store.load('fresh')).toEqual({
        sessionId: 'fresh',
        preferences: {},
        siteId: null,
        siteSpec: null,
        history: [],
      });
    });

    it('keeps preferences, site and history under its prefix, each write setting the TTL', async () => {
      const sessionId = randomUUID();
      const spec = planSiteByRules('Make a blog about tea').spec;
      await store.savePreferences(sessionId, { theme: 'dark' });
      await store.savePreferences(sessionId, { tone: 'playful' });
      await store.recordRequest(sessionId, record('w1'));
      await store.saveSite(sessionId, { siteId: 'tea-abc123', spec });

      expect(await store.load(sessionId)).toEqual({
        sessionId,
        preferences: { theme: 'dark', tone: 'playful' },
        siteId: 'tea-abc123',
        siteSpec: spec,
        history: [record('w1')].map((entry) => ({ ...entry, receivedAt: expect.any(String) })),
      });
      for (const key of [keys.session(sessionId), keys.history(sessionId)]) {
        const ttl = await redis.ttl(key);
        expect(ttl).toBeGreaterThan(2 * 3600 - 10);
        expect(ttl).toBeLessThanOrEqual(2 * 3600);
      }
    });

    it('refreshes the TTL of the whole session on every write', async () => {
      const sessionId = randomUUID();
      await store.recordRequest(sessionId, record('w1'));
      await store.savePreferences(sessionId, { theme: 'light' });
      await redis.expire(keys.session(sessionId), 5);
      await redis.expire(keys.history(sessionId), 5);

      await store.savePreferences(sessionId, { theme: 'dark' });

      expect(await redis.ttl(keys.session(sessionId))).toBeGreaterThan(3600);
      expect(await redis.ttl(keys.history(sessionId))).toBeGreaterThan(3600);
    });

    it('records a retried workflow’s request once and keeps the newest entries only', async () => {
      const sessionId = randomUUID();
      await store.recordRequest(sessionId, record('same'));
      await store.recordRequest(sessionId, record('same'));
      expect((await store.load(sessionId)).history).toHaveLength(1);

      for (let index = 0; index < HISTORY_LIMIT + 5; index++)
        await store.recordRequest(sessionId, record(`w${index}`, `request ${index}`));
      const history = (await store.load(sessionId)).history;
      expect(history).toHaveLength(HISTORY_LIMIT);
      expect(history.at(-1)?.request).toBe(`request ${HISTORY_LIMIT + 4}`);
    });

    it('forgets a session on clear', async () => {
      const sessionId = randomUUID();
      await store.savePreferences(sessionId, { theme: 'dark' });
      await store.clear(sessionId);
      expect(await redis.exists(keys.session(sessionId))).toBe(0);
    });
  });

  describe('MemoryAgent', () => {
    const agent = () => new MemoryAgent({ store });

    it('outputs the session memory with the current request recorded and known preferences kept', async () => {
      const context = createTestContext({
        input: { request: 'Make a blog about tea' },
        preferences: { theme: 'dark', mood: 'happy' },
      });

      const memory = await agent().execute(context);

      expect(memory).toMatchObject({
        sessionId: context.sessionId,
        preferences: { theme: 'dark' },
        siteId: null,
        siteSpec: null,
      });
      expect(memory.history).toEqual([
        expect.objectContaining({ workflowId: context.workflowId, request: 'Make a blog about tea' }),
      ]);
      expect(await store.load(context.sessionId)).toMatchObject({
        preferences: { theme: 'dark' },
        history: [expect.objectContaining({ workflowId: context.workflowId })],
      });
      expect(context.logs).toContainEqual(
        expect.objectContaining({
          level: 'warning',
          message: 'unknown preference "mood" ignored (known: theme, primaryColor, font, tone)',
        }),
      );
      expect(JSON.parse(JSON.stringify(memory))).toEqual(memory);
    });

    it('warns about, and drops, preference values it cannot use', async () => {
      const context = createTestContext({
        input: { request: 'Make a blog about tea' },
        preferences: { theme: 'purple', primaryColor: 'red', font: 'x;}body{' },
      });
      const memory = await agent().execute(context);
      expect(memory.preferences).toEqual({});
      expect(context.logs.filter((log) => log.level === 'warning')).toHaveLength(3);
    });

    it('refuses UPDATE_SITE for a session with no site, recording nothing', async () => {
      const context = createTestContext({
        workflowType: WorkflowType.UpdateSite,
        input: { request: 'add a blog page' },
      });
      const failure = agent().execute(context);
      await expect(failure).rejects.toBeInstanceOf(ValidationError);
      await expect(failure).rejects.toThrow(
        `session ${context.sessionId} has no site to update; run CREATE_SITE first`,
      );
      expect((await store.load(context.sessionId)).history).toEqual([]);
    });

    it('refuses an empty request', async () => {
      await expect(agent().execute(createTestContext({ input: { request: '' } }))).rejects.toThrow(
        'input.request is empty',
      );
    });
  });
});

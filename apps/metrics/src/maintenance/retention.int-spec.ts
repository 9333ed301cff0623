import { SessionMemoryKeys } from '@app/agents/session-memory-keys';
import { randomUUID } from 'node:crypto';
import { MetricsConfig } from '@app/config';
import { LogLevel, WorkflowState, WorkflowStatus } from '@app/contracts';
import {
  LogEntriesRepository,
  WorkflowRecordsRepository,
  WorkflowRunsRepository,
  dataSourceOptions,
} from '@app/persistence';
import { WorkflowStore, compileWorkflowGraph, pinWorkflowGraph } from '@app/workflow-store';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { TEST_DATABASE_URL, TEST_REDIS_URL, TestNamespace } from '../../../../test/support/test-environment';
import { LogRetentionService } from './log-retention.service';
import { SessionRetentionService } from './session-retention.service';
import { WorkflowStateRetentionService } from './workflow-state-retention.service';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const graph = pinWorkflowGraph(
  compileWorkflowGraph(
    { type: 'ONE_STEP', description: '', steps: [{ id: 'only', agent: 'echo', dependsOn: [] }] },
    () => null,
  ),
  () => 1,
);

describe('retention jobs (real PostgreSQL and Redis)', () => {
  const namespace = new TestNamespace();
  const config = {
    REDIS_PREFIX: namespace.redisPrefix,
    LOG_RETENTION_DAYS: 90,
    WORKFLOW_STATE_TTL_HOURS: 24,
    SESSION_CLEANUP_DAYS: 90,
  } as MetricsConfig;
  let dataSource: DataSource;
  let redis: Redis;
  let store: WorkflowStore;

  beforeAll(async () => {
    await namespace.prepare();
    dataSource = await new DataSource(
      dataSourceOptions({
        url: TEST_DATABASE_URL,
        schema: namespace.schema,
        applicationName: 'retention-spec',
      }),
    ).initialize();
    redis = new Redis(TEST_REDIS_URL);
    store = new WorkflowStore(redis, { prefix: namespace.redisPrefix, finishedTtlSeconds: 30 * HOUR_MS });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await redis?.quit();
    await namespace.dispose();
  });

  it('CleanupLogs removes exactly the entries older than LOG_RETENTION_DAYS', async () => {
    const now = new Date('2026-11-24T03:00:00.000Z');
    const cutoff = now.getTime() - 90 * DAY_MS;
    const ages = [cutoff - 86_400_000, cutoff - 1, cutoff, cutoff + 1, now.getTime()];
    const entries = ages.map((ms) => ({
      id: randomUUID(),
      timestamp: new Date(ms).toISOString(),
      level: LogLevel.Info,
      workflowId: null,
      agent: null,
      message: `at ${ms}`,
      metadata: {},
    }));
    const logs = new LogEntriesRepository(dataSource);
    await logs.insertMany(entries);
    const report = await new LogRetentionService(logs, config).run(now);
    expect(report).toEqual({ job: 'CleanupLogs', cutoff: new Date(cutoff).toISOString(), removed: 2 });
    const left = await namespace.query<{ id: string }>('SELECT id FROM log_entries');
    expect(left.map((row) => row.id).sort()).toEqual(
      entries
        .slice(2)
        .map((entry) => entry.id)
        .sort(),
    );
  });

  describe('CleanupWorkflowStates', () => {
    const keysOf = (workflowId: string) => [store.keys.workflow(workflowId), store.keys.events(workflowId)];
    const indexOf = (status: string, workflowId: string) =>
      store.keys.statusIndex(status, store.keys.shardOf(workflowId));

    async function create(): Promise<string> {
      const { workflowId } = await store.create(
        {
          workflowId: randomUUID(),
          type: 'ONE_STEP',
          tenantId: 'tenant-a',
          sessionId: 'session-1',
          input: { n: 1 },
          preferences: {},
        },
        graph,
      );
      return workflowId;
    }

    async function finish(workflowId: string, status: WorkflowStatus): Promise<WorkflowState> {
      if (status === WorkflowStatus.Cancelled) await store.cancel(workflowId);
      else {
        const begun = await store.beginStep(workflowId, 'only', 1);
        if (begun.outcome !== 'run') throw new Error(`cannot run the step: ${begun.outcome}`);
        if (status === WorkflowStatus.Completed) {
          await store.completeStep({
            workflowId,
            stepId: 'only',
            graphId: begun.graphId,
            runToken: begun.runToken,
            output: { ok: true },
            durationMs: 5,
            llmCalls: 0,
            llmTokens: 0,
          });
        } else {
          await store.failStep({
            workflowId,
            stepId: 'only',
            runToken: begun.runToken,
            error: 'broken',
            durationMs: 5,
            retryDelayMs: null,
          });
        }
      }
      const state = await store.get(workflowId);
      expect(state?.status).toBe(status);
      return state as WorkflowState;
    }

    const tick = async () => {
      const start = Date.now();
      while (Date.now() <= start + 2) await new Promise((resolve) => setImmediate(resolve));
    };

    it('archives each finished workflow older than the TTL to PostgreSQL, then removes it from Redis; nothing else', async () => {
      const completed = await finish(await create(), WorkflowStatus.Completed);
      const failed = await finish(await create(), WorkflowStatus.Failed);
      const cancelled = await finish(await create(), WorkflowStatus.Cancelled);
      const expiredId = await create();
      await finish(expiredId, WorkflowStatus.Completed);
      await redis.del(...keysOf(expiredId)); // the safety-net EXPIRE got there first
      const finishingLate = await create();
      const running = await create();
      await tick();
      const cutoff = Date.now();
      await tick();
      await finish(finishingLate, WorkflowStatus.Completed);

      const runs = new WorkflowRunsRepository(dataSource);
      const service = new WorkflowStateRetentionService(
        store,
        new WorkflowRecordsRepository(dataSource),
        runs,
        config,
      );
      const report = await service.run(new Date(cutoff + 24 * HOUR_MS));
      expect(report).toEqual({
        job: 'CleanupWorkflowStates',
        cutoff: new Date(cutoff).toISOString(),
        archived: 3,
        removed: 3,
      });

      const records = new WorkflowRecordsRepository(dataSource);
      for (const state of [completed, failed, cancelled]) {
        expect(await records.get(state.workflowId)).toEqual(state);
        expect(await redis.exists(...keysOf(state.workflowId))).toBe(0);
        expect(await redis.zscore(indexOf(state.status, state.workflowId), state.workflowId)).toBeNull();
      }
      const rows = await namespace.query<{
        id: string;
        type: string;
        status: string;
        tenant_id: string;
        session_id: string;
        created_at: Date;
        finished_at: Date;
      }>(
        'SELECT id, type, status, tenant_id, session_id, created_at, finished_at FROM workflow_records WHERE id = $1',
        [failed.workflowId],
      );
      expect(rows).toEqual([
        {
          id: failed.workflowId,
          type: 'ONE_STEP',
          status: 'FAILED',
          tenant_id: 'tenant-a',
          session_id: 'session-1',
          created_at: new Date(failed.createdAt),
          finished_at: new Date(failed.finishedAt as string),
        },
      ]);
      // Expired from Redis before it could be archived: only its index entries go.
      expect(await redis.zscore(indexOf('COMPLETED', expiredId), expiredId)).toBeNull();
      expect(await records.get(expiredId)).toBeNull();
      // Finished after the cut-off, or still running: untouched.
      for (const workflowId of [finishingLate, running]) {
        expect(await redis.exists(store.keys.workflow(workflowId))).toBe(1);
        expect(await records.get(workflowId)).toBeNull();
      }
      // No consumer of the outbox ran here, as if its entries had been lost: retention projected them.
      const projected = await runs.list({ limit: 10 });
      expect(projected.items.map((item) => item.workflowId).sort()).toEqual(
        [completed, failed, cancelled].map((state) => state.workflowId).sort(),
      );
      expect(projected.items.find((item) => item.workflowId === failed.workflowId)).toEqual({
        workflowId: failed.workflowId,
        type: 'ONE_STEP',
        status: WorkflowStatus.Failed,
        tenantId: 'tenant-a',
        sessionId: 'session-1',
        createdAt: failed.createdAt,
        updatedAt: failed.updatedAt,
        finishedAt: failed.finishedAt,
        error: failed.error,
        completedSteps: 0,
        totalSteps: 1,
      });

      expect(await service.run(new Date(cutoff + 24 * HOUR_MS))).toMatchObject({ archived: 0, removed: 0 });
    });
  });

  describe('CleanupSessions', () => {
    const sessionKeys = new SessionMemoryKeys(namespace.redisPrefix);
    const key = (sessionId: string) => sessionKeys.session(sessionId);
    const history = (sessionId: string) => sessionKeys.history(sessionId);

    /** A session's keys as the store writes them; `hasHash: false` leaves only the history. */
    async function session(
      sessionId: string,
      options: { lastRequestAt?: Date; ttlSeconds?: number; hasHash?: boolean },
    ): Promise<void> {
      if (options.hasHash !== false) await redis.hset(key(sessionId), 'preferences', '{}');
      if (options.lastRequestAt) {
        await redis.rpush(
          history(sessionId),
          JSON.stringify({
            workflowId: randomUUID(),
            workflowType: 'CREATE_SITE',
            request: 'older',
            receivedAt: '2020-01-01T00:00:00.000Z',
          }),
          JSON.stringify({
            workflowId: randomUUID(),
            workflowType: 'CREATE_SITE',
            request: 'x',
            receivedAt: options.lastRequestAt.toISOString(),
          }),
        );
      }
      if (options.ttlSeconds) {
        await redis.expire(key(sessionId), options.ttlSeconds);
        if (options.lastRequestAt) await redis.expire(history(sessionId), options.ttlSeconds);
      }
    }

    it('removes sessions without TTL quiet for longer than SESSION_CLEANUP_DAYS, and only those', async () => {
      const now = Date.now();
      // The history is its only sign of life: a hash written now would be activity now.
      await session('quiet', { lastRequestAt: new Date(now - 91 * DAY_MS), hasHash: false });
      await session('recent', { lastRequestAt: new Date(now - 10 * DAY_MS) });
      await session('quiet-with-ttl', { lastRequestAt: new Date(now - 91 * DAY_MS), ttlSeconds: 3600 });
      await session('no-history', {});
      const service = new SessionRetentionService(redis, config);

      expect(await service.run(new Date(now))).toMatchObject({ job: 'CleanupSessions', removed: 1 });
      expect(await redis.exists(key('quiet'), history('quiet'))).toBe(0);
      expect(
        await redis.exists(key('recent'), history('recent'), key('quiet-with-ttl'), key('no-history')),
      ).toBe(4);

      // 91 days on, the recent session and the hash untouched since now are quiet too.
      expect(await service.run(new Date(now + 91 * DAY_MS))).toMatchObject({ removed: 2 });
      expect(await redis.exists(key('recent'), history('recent'), key('no-history'))).toBe(0);
      expect(await redis.exists(key('quiet-with-ttl'), history('quiet-with-ttl'))).toBe(2);
    });
  });
});

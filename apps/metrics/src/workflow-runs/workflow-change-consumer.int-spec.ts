import { ServiceConfig } from '@app/config';
import { WorkflowStatus, WorkflowSummary } from '@app/contracts';
import { WorkflowRunsRepository, dataSourceOptions } from '@app/persistence';
import { WorkflowKeys, WorkflowStore, compileWorkflowGraph, pinWorkflowGraph } from '@app/workflow-store';
import Redis from 'ioredis';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { TcpProxy } from '../../../../test/support/tcp-proxy';
import { TEST_DATABASE_URL, TEST_REDIS_URL, TestNamespace } from '../../../../test/support/test-environment';
import { waitFor } from '../../../../test/support/wait-for';
import { WORKFLOW_RUNS_GROUP, WorkflowChangeConsumer } from './workflow-change-consumer.service';
import { DatabaseWriteFailures } from '../database-writes/database-write-failures.metrics';
import { WorkflowProjector } from './workflow-projector.service';
import { WorkflowStatusMetrics } from './workflow-status.metrics';

const graph = pinWorkflowGraph(
  compileWorkflowGraph(
    { type: 'ONE_STEP', description: '', steps: [{ id: 'only', agent: 'echo', dependsOn: [] }] },
    () => null,
  ),
  () => 1,
);

describe('WorkflowChangeConsumer (real Redis and PostgreSQL)', () => {
  const namespace = new TestNamespace();
  const config = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: namespace.redisPrefix } as ServiceConfig;
  const keys = new WorkflowKeys(namespace.redisPrefix);
  // Every workflow of this spec is in shard 0, so its changes are in that shard's outbox.
  const stream = keys.changes(0);
  let dataSource: DataSource;
  let redis: Redis;
  let subscriber: Redis;
  let store: WorkflowStore;
  const published: WorkflowSummary[] = [];
  const started: WorkflowChangeConsumer[] = [];
  /** The counters of the last consumer started. */
  let counted: { started: Counter<string>; finished: Counter<string> };
  const countOf = async (counter: Counter<string>, labels: Record<string, string> = {}) =>
    (await counter.get()).values
      .filter((value) => Object.entries(labels).every(([key, label]) => value.labels[key] === label))
      .reduce((sum, value) => sum + value.value, 0);

  /** A consumer as the metrics service runs it, writing through `database`. */
  async function startConsumer(database: DataSource): Promise<WorkflowChangeConsumer> {
    const metric = { help: 'test', registers: [] };
    const projector = new WorkflowProjector(
      store,
      new WorkflowRunsRepository(database),
      redis,
      config,
      new Counter({ name: 'projected', ...metric }),
    );
    counted = {
      started: new Counter({ name: 'started', ...metric }),
      finished: new Counter({ name: 'finished', labelNames: ['status'], ...metric }),
    };
    const consumer = new WorkflowChangeConsumer(
      projector,
      new WorkflowStatusMetrics(counted.started, counted.finished),
      new DatabaseWriteFailures(new Counter({ name: 'write_failures', labelNames: ['table'], ...metric })),
      redis,
      config,
      new Gauge({ name: 'pending', ...metric }),
      new Gauge({ name: 'oldest', ...metric }),
    );
    await consumer.onModuleInit();
    consumer.onApplicationBootstrap();
    started.push(consumer);
    return consumer;
  }

  async function start(): Promise<string> {
    const { workflowId } = await store.create(
      {
        workflowId: keys.newWorkflowId(0),
        type: 'ONE_STEP',
        tenantId: 'acme',
        sessionId: 'session-1',
        input: { request: 'a bakery' },
        preferences: {},
      },
      graph,
    );
    return workflowId;
  }

  async function complete(workflowId: string): Promise<void> {
    const begun = await store.beginStep(workflowId, 'only', 1);
    if (begun.outcome !== 'run') throw new Error(`cannot run the step: ${begun.outcome}`);
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
  }

  const projected = async (workflowId: string) =>
    (
      await namespace.query<{ status: string; last_event_id: string }>(
        'SELECT status, last_event_id FROM workflow_runs WHERE id = $1',
        [workflowId],
      )
    )[0];

  /** Entries read by a consumer of the group and not yet acknowledged. */
  const pendingCount = async () =>
    Number(((await redis.xpending(stream, WORKFLOW_RUNS_GROUP)) as [number])[0]);

  beforeAll(async () => {
    await namespace.prepare();
    dataSource = await new DataSource(
      dataSourceOptions({
        url: TEST_DATABASE_URL,
        schema: namespace.schema,
        applicationName: 'projection-spec',
      }),
    ).initialize();
    redis = new Redis(TEST_REDIS_URL, { enableAutoPipelining: true });
    subscriber = new Redis(TEST_REDIS_URL);
    await subscriber.subscribe(new WorkflowKeys(namespace.redisPrefix).runsChannel);
    subscriber.on('message', (_channel, message) =>
      published.push(...(JSON.parse(message) as WorkflowSummary[])),
    );
    store = new WorkflowStore(redis, { prefix: namespace.redisPrefix, finishedTtlSeconds: 3600 });
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((consumer) => consumer.onModuleDestroy()));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await Promise.all([redis?.quit(), subscriber?.quit()]);
    await namespace.dispose();
  });

  it('projects a workflow created and finished through the store, publishes it, counts it, and empties the outbox', async () => {
    await startConsumer(dataSource);
    const workflowId = await start();
    await waitFor(
      async () => (await projected(workflowId))?.status === 'PENDING' || undefined,
      'PENDING row',
    );
    await complete(workflowId);
    const state = await store.get(workflowId);
    const row = await waitFor(
      async () => ((await projected(workflowId))?.status === 'COMPLETED' ? projected(workflowId) : undefined),
      'COMPLETED row',
    );
    expect(row).toEqual({ status: 'COMPLETED', last_event_id: String(state?.lastEventId) });
    await waitFor(async () => ((await redis.xlen(stream)) === 0 ? true : undefined), 'an empty outbox');
    expect(await pendingCount()).toBe(0);
    await waitFor(
      async () =>
        published.find((summary) => summary.workflowId === workflowId && summary.status === 'COMPLETED'),
      'the published summary',
    );
    expect(published.filter((summary) => summary.workflowId === workflowId).at(-1)).toMatchObject({
      status: WorkflowStatus.Completed,
      tenantId: 'acme',
      completedSteps: 1,
      totalSteps: 1,
    });
    expect(await countOf(counted.started)).toBe(1);
    expect(await countOf(counted.finished, { status: WorkflowStatus.Completed })).toBe(1);
  });

  it('does not let an older change overwrite a newer projection', async () => {
    const workflowId = await start();
    const pending = await store.get(workflowId);
    if (!pending) throw new Error('missing');
    // A newer state was projected already (by another consumer that read the workflow later).
    const runs = new WorkflowRunsRepository(dataSource);
    const newer = { ...pending, status: WorkflowStatus.Completed, lastEventId: pending.lastEventId + 5 };
    await runs.upsert([newer]);

    await startConsumer(dataSource);
    await waitFor(async () => ((await redis.xlen(stream)) === 0 ? true : undefined), 'the change consumed');
    expect(await projected(workflowId)).toEqual({
      status: 'COMPLETED',
      last_event_id: String(newer.lastEventId),
    });
  });

  it('keeps the changes pending while PostgreSQL cannot be reached, and projects and counts them once when it can', async () => {
    const target = new URL(TEST_DATABASE_URL);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const throughProxy = await new DataSource(
      dataSourceOptions({
        url: TcpProxy.through(TEST_DATABASE_URL, proxy),
        schema: namespace.schema,
        applicationName: 'projection-spec-proxied',
      }),
    ).initialize();
    try {
      await proxy.cut();
      await startConsumer(throughProxy);
      const workflowId = await start();
      await waitFor(async () => ((await pendingCount()) > 0 ? true : undefined), 'the change read');
      // Several attempts fail meanwhile (retried after 1 s, then 2 s).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await projected(workflowId)).toBeUndefined();
      expect(await redis.xlen(stream)).toBe(1);
      expect(await pendingCount()).toBe(1);
      expect(await countOf(counted.started)).toBe(0);

      await proxy.restore();
      await waitFor(
        async () => (await projected(workflowId)) ?? undefined,
        'the row once PostgreSQL is back',
      );
      await waitFor(async () => ((await redis.xlen(stream)) === 0 ? true : undefined), 'an empty outbox');
      expect(await pendingCount()).toBe(0);
      expect(await countOf(counted.started)).toBe(1);
    } finally {
      await Promise.all(started.splice(0).map((consumer) => consumer.onModuleDestroy()));
      await throughProxy.destroy();
      await proxy.stop();
    }
  });

  it('takes over the changes a consumer that died had read', async () => {
    const workflowId = await start();
    // A consumer read the change and died before projecting it; its entry has been idle for two minutes.
    await redis.xreadgroup(
      'GROUP',
      WORKFLOW_RUNS_GROUP,
      'dead-consumer',
      'COUNT',
      10,
      'STREAMS',
      stream,
      '>',
    );
    const [[entryId]] = (await redis.xpending(stream, WORKFLOW_RUNS_GROUP, '-', '+', 10)) as [string][];
    await redis.xclaim(stream, WORKFLOW_RUNS_GROUP, 'dead-consumer', 0, entryId, 'IDLE', 120_000, 'JUSTID');

    await startConsumer(dataSource);
    await waitFor(
      async () => (await projected(workflowId)) ?? undefined,
      'the row, projected by the survivor',
    );
    await waitFor(async () => ((await redis.xlen(stream)) === 0 ? true : undefined), 'an empty outbox');
    expect(await pendingCount()).toBe(0);
  });

  it('stops promptly while its read is blocked waiting for changes', async () => {
    const consumer = await startConsumer(dataSource);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopping = Date.now();
    await consumer.onModuleDestroy();
    started.splice(0);
    expect(Date.now() - stopping).toBeLessThan(1500);
  });
});

import { randomUUID } from 'node:crypto';
import {
  AgentExecution,
  AgentMetricsSummary,
  LogEntry,
  LogLevel,
  LogPage,
  MaintenanceReport,
  METRICS_EXECUTIONS_QUEUE,
  METRICS_LOGS_QUEUE,
  METRICS_MAINTENANCE_QUEUE,
  MetricsLogJobName,
  MetricsTrends,
  RegisteredAgent,
  WorkflowPage,
  WorkflowState,
  WorkflowStatus,
} from '@app/contracts';
import { WorkflowStore, compileWorkflowGraph, pinWorkflowGraph } from '@app/workflow-store';
import { Queue } from 'bullmq';
import { RedisClient } from '@app/redis';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { DURATION_BUCKETS_SECONDS } from '../apps/metrics/src/agent-executions/agent-execution.metrics';
import { TelemetryShipper } from '../libs/agent-sdk/src/worker/telemetry-shipper';
import { announceWorker } from './support/announced-worker';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { TcpProxy } from './support/tcp-proxy';
import {
  TEST_ADMIN_KEY,
  TEST_DATABASE_URL,
  TestNamespace,
  connectTestRedis,
} from './support/test-environment';
import { waitFor } from './support/wait-for';

const AGENTS = ['content', 'design', 'planner'];
const HOUR_MS = 3600_000;

interface Family {
  name: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}

/**
 * The metrics service as two replicas, reaching PostgreSQL through a proxy the test can cut, and a
 * gateway in front; telemetry produced by the orchestrator's own shipper.
 */
describe('the metrics service: no loss, Prometheus counted once, retention, REST through the gateway', () => {
  const namespace = new TestNamespace();
  let proxy: TcpProxy;
  let replicas: AppProcess[] = [];
  let gateway: AppProcess;
  let api: ApiClient;
  let redis: RedisClient;
  let logsQueue: Queue;
  let executionsQueue: Queue;
  let maintenanceQueue: Queue;
  let shipper: TelemetryShipper;
  let shipperConnection: RedisClient;

  const count = async (sql: string, params: unknown[] = []) =>
    Number((await namespace.query<{ count: string }>(sql, params))[0].count);

  beforeAll(async () => {
    await namespace.prepare();
    const target = new URL(TEST_DATABASE_URL);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const metricsEnv = namespace.env({ DATABASE_URL: TcpProxy.through(TEST_DATABASE_URL, proxy) });
    [gateway, ...replicas] = await Promise.all([
      AppProcess.start('gateway', namespace.env()),
      AppProcess.start('metrics', metricsEnv),
      AppProcess.start('metrics', metricsEnv),
    ]);
    api = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    redis = connectTestRedis();
    logsQueue = new Queue(METRICS_LOGS_QUEUE, namespace.queueOptions(METRICS_LOGS_QUEUE));
    executionsQueue = new Queue(METRICS_EXECUTIONS_QUEUE, namespace.queueOptions(METRICS_EXECUTIONS_QUEUE));
    maintenanceQueue = new Queue(
      METRICS_MAINTENANCE_QUEUE,
      namespace.queueOptions(METRICS_MAINTENANCE_QUEUE),
    );
    shipperConnection = connectTestRedis();
    shipper = new TelemetryShipper(shipperConnection, namespace.redisPrefix, console);
  });

  afterAll(async () => {
    await Promise.all([...replicas, gateway].filter(Boolean).map((app) => app.stop()));
    await Promise.all(
      [logsQueue, executionsQueue, maintenanceQueue].filter(Boolean).map((queue) => queue.close()),
    );
    await shipper?.close();
    await shipperConnection?.quit();
    await redis?.quit();
    await proxy?.stop();
    await namespace.dispose();
  });

  const logEntry = (index: number, workflowId: string | null = null): LogEntry => ({
    id: randomUUID(),
    timestamp: new Date(Date.now() - 60_000 + index).toISOString(),
    level: Object.values(LogLevel)[index % 4],
    workflowId,
    agent: AGENTS[index % 3],
    message: `entry ${index}`,
    metadata: { index },
  });

  it('keeps 5,000 log entries produced while PostgreSQL is unreachable and writes each exactly once when it is back', async () => {
    await proxy.cut();
    const entries = Array.from({ length: 5000 }, (_, index) => logEntry(index));
    for (const entry of entries) shipper.log(entry);
    await shipper.flush();
    // The batches were tried and failed: they wait in the queue for a retry.
    await waitFor(
      async () => ((await logsQueue.getDelayedCount()) >= 2 ? true : undefined),
      'log batches failing and waiting for a retry',
    );
    expect(await count('SELECT count(*) FROM log_entries')).toBe(0);

    await proxy.restore();
    await waitFor(
      async () => ((await count('SELECT count(*) FROM log_entries')) === 5000 ? true : undefined),
      'all 5,000 entries in PostgreSQL',
      90_000,
    );
    // A batch delivered a second time (a producer retrying after a lost acknowledgement) changes nothing.
    await logsQueue.add(MetricsLogJobName.PersistLogs, { entries: entries.slice(0, 500) });
    await waitFor(
      async () => ((await logsQueue.getJobCounts('wait', 'active', 'delayed')).wait === 0 ? true : undefined),
      'the repeat',
    );
    await waitFor(async () => {
      const { wait, active, delayed } = await logsQueue.getJobCounts('wait', 'active', 'delayed');
      return wait + active + delayed === 0 ? true : undefined;
    }, 'an empty logs queue');
    expect(await count('SELECT count(*) FROM log_entries')).toBe(5000);
    expect(
      await count('SELECT count(DISTINCT id) FROM log_entries WHERE id = ANY($1::uuid[])', [
        entries.map((entry) => entry.id),
      ]),
    ).toBe(5000);
    expect(await count('SELECT sum(count) AS count FROM log_level_counts')).toBe(5000);
    expect(await logsQueue.getFailedCount()).toBe(0);
  });

  it('rejects a malformed execution alone and records the rest of its batch', async () => {
    const good = executionSet();
    await executionsQueue.add('RecordAgentExecutions', {
      executions: [...good.slice(0, 2), { id: 'nope' }, ...good.slice(2)],
    });
    await waitFor(
      async () => ((await count('SELECT count(*) FROM agent_executions')) === good.length ? true : undefined),
      'the good executions of the batch',
    );
    // Each successful execution also becomes its step's completion log line, sharing its id.
    const successes = good.filter((execution) => execution.outcome === 'success').length;
    await waitFor(
      async () =>
        (await count(`SELECT count(*) FROM log_entries WHERE message LIKE 'step % completed in % ms'`)) ===
        successes
          ? true
          : undefined,
      'the completion log lines of the successful executions',
    );
  });

  /** 30 executions: each agent 10, every fourth an error (content 3, design 3, planner 2), durations spread over the buckets. */
  function executionSet(): AgentExecution[] {
    return Array.from({ length: 30 }, (_, index) => {
      const finishedAt = new Date(Date.now() - index * 1000);
      const durationMs = [20, 80, 400, 900, 3000, 45_000][index % 6] + index;
      return {
        id: randomUUID(),
        workflowId: randomUUID(),
        workflowType: 'CREATE_SITE',
        stepId: AGENTS[index % 3],
        agent: AGENTS[index % 3],
        attempt: 1,
        outcome: index % 4 === 0 ? 'error' : 'success',
        errorKind: index % 4 === 0 ? 'network' : null,
        durationMs,
        startedAt: new Date(finishedAt.getTime() - durationMs).toISOString(),
        finishedAt: finishedAt.toISOString(),
      } satisfies AgentExecution;
    });
  }

  it('serves Prometheus counters that parse and, summed over the replicas, match the database', async () => {
    const families = await Promise.all(
      replicas.map(async (replica) => {
        const response = await fetch(`${replica.url}/metrics`);
        expect(response.status).toBe(200);
        const text = await response.text();
        // This parser flattens a labelled histogram into one sample; read its lines untyped instead.
        const untyped = text.replace(
          /^# TYPE agent_execution_duration_seconds histogram$/m,
          '# TYPE agent_execution_duration_seconds untyped',
        );
        return [
          ...(parsePrometheusTextFormat(text) as Family[]),
          ...(parsePrometheusTextFormat(untyped) as Family[]).filter((family) =>
            family.name.startsWith('agent_execution_duration_seconds_'),
          ),
        ];
      }),
    );
    for (const all of families) {
      expect(all.find((family) => family.name === 'agent_executions_total')?.type).toBe('COUNTER');
      expect(all.find((family) => family.name === 'agent_execution_duration_seconds')?.type).toBe(
        'HISTOGRAM',
      );
      expect(all.find((family) => family.name === 'log_entries_total')?.type).toBe('COUNTER');
      expect(all.some((family) => family.name === 'process_cpu_user_seconds_total')).toBe(true);
      // Nothing read from PostgreSQL at scrape time any more: each replica counts what it wrote.
      expect(all.some((family) => family.name === 'agent_execution_count')).toBe(false);
    }
    /** The sum over both replicas of every sample of `name` carrying `labels`. */
    const total = (name: string, labels: Record<string, string>) =>
      families
        .flat()
        .filter((family) => family.name === name)
        .flatMap((family) => family.metrics)
        .filter((metric) => Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value))
        .reduce((sum, metric) => {
          expect(metric.labels?.service).toBe('metrics');
          return sum + Number(metric.value);
        }, 0);

    const rows = await namespace.query<{ agent: string; outcome: string; executions: string; sum: number }>(
      `SELECT agent, outcome, count(*) AS executions, sum(duration_ms)::float8 / 1000 AS sum
       FROM agent_executions GROUP BY agent, outcome`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) {
      const labels = { agent: row.agent, outcome: row.outcome };
      expect(total('agent_executions_total', labels)).toBe(Number(row.executions));
      expect(total('agent_execution_duration_seconds_count', labels)).toBe(Number(row.executions));
      expect(total('agent_execution_duration_seconds_sum', labels)).toBeCloseTo(row.sum, 6);
      for (const bound of DURATION_BUCKETS_SECONDS) {
        const expected = await count(
          'SELECT count(*) FROM agent_executions WHERE agent = $1 AND outcome = $2 AND duration_ms <= $3',
          [row.agent, row.outcome, bound * 1000],
        );
        expect(total('agent_execution_duration_seconds_bucket', { ...labels, le: String(bound) })).toBe(
          expected,
        );
      }
    }
    const levels = await namespace.query<{ level: string; count: string }>(
      'SELECT level, count(*) FROM log_entries GROUP BY level',
    );
    for (const level of levels) {
      expect(total('log_entries_total', { level: level.level })).toBe(Number(level.count));
    }
  });

  it('schedules the three retention jobs once, whatever the number of replicas', async () => {
    const schedulers = await maintenanceQueue.getJobSchedulers();
    expect(schedulers.map((scheduler) => [scheduler.name, scheduler.pattern, scheduler.tz]).sort()).toEqual([
      ['CleanupLogs', '0 3 * * *', 'UTC'],
      ['CleanupSessions', '0 2 * * *', 'UTC'],
      ['CleanupWorkflowStates', '0 * * * *', 'UTC'],
    ]);
  });

  describe('through the gateway', () => {
    it('lists the registered agents with their figures, and the summary', async () => {
      await announceWorker(redis, namespace.redisPrefix, [
        { name: 'planner', version: '2.0.0', description: 'plans pages' },
        { name: 'idle', version: '1.0.0', description: 'never ran' },
      ]);
      const agents = await api.json<RegisteredAgent[]>('/agents');
      expect(
        agents.map((agent) => [
          agent.name,
          agent.version,
          agent.queue,
          agent.liveWorkers,
          agent.metrics.executionCount,
          agent.metrics.errorCount,
        ]),
      ).toEqual([
        ['idle', '1.0.0', 'steps.idle@1', 1, 0, 0],
        ['planner', '2.0.0', 'steps.planner@2', 1, 10, 2],
      ]);
      const summary = await api.json<AgentMetricsSummary>('/agents/metrics');
      expect(summary.overall).toMatchObject({ executionCount: 30, errorCount: 8, successCount: 22 });
      expect(summary.agents.map((agent) => agent.agent)).toEqual(AGENTS);
      const refused = await api.get('/agents/metrics?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');
      expect(refused.status).toBe(400);
    });

    it('answers trends by hour, and explains a bad range with a 400', async () => {
      const to = new Date(Math.ceil(Date.now() / HOUR_MS) * HOUR_MS);
      const from = new Date(to.getTime() - 3 * HOUR_MS);
      const trends = await api.json<MetricsTrends>(
        `/metrics/trends?from=${from.toISOString()}&to=${to.toISOString()}&interval=hour`,
      );
      expect(trends.executions).toHaveLength(3);
      expect(trends.executions.reduce((sum, point) => sum + point.executions, 0)).toBe(30);
      expect(
        trends.logsByLevel.reduce(
          (sum, point) => sum + point.debug + point.info + point.warning + point.error,
          0,
        ),
      ).toBe(
        await count('SELECT count(*) FROM log_entries WHERE "timestamp" >= $1 AND "timestamp" < $2', [
          from,
          to,
        ]),
      );
      for (const [query, message] of [
        [`from=${to.toISOString()}&to=${from.toISOString()}`, /from .* must be before to/],
        ['from=2025-01-01T00:00:00Z&to=2025-06-01T00:00:00Z&interval=hour', /covers at most 31 days/],
        ['from=yesterday&to=2025-06-01T00:00:00Z', /from must be an ISO-8601 date/],
        ['from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z&interval=week', /interval must be hour or day/],
      ] as const) {
        const response = await api.get(`/metrics/trends?${query}`);
        expect(response.status).toBe(400);
        expect(await response.text()).toMatch(message);
      }
    });

    it('covers the last 24 hours when asked for trends without a range, and answers the range it used', async () => {
      const before = Date.now();
      const trends = await api.json<MetricsTrends>('/metrics/trends');
      const [from, to] = [Date.parse(trends.from), Date.parse(trends.to)];
      expect(to).toBeGreaterThanOrEqual(before);
      expect(to).toBeLessThanOrEqual(Date.now());
      expect(to - from).toBe(24 * HOUR_MS);
      expect(trends.interval).toBe('hour');
      // UTC hours from the one holding `from` to the one holding the last instant before `to`.
      expect(trends.executions).toHaveLength(Math.floor((to - 1) / HOUR_MS) - Math.floor(from / HOUR_MS) + 1);
      expect(trends.executions.reduce((sum, point) => sum + point.executions, 0)).toBe(
        await count('SELECT count(*) FROM agent_executions WHERE finished_at >= $1 AND finished_at < $2', [
          trends.from,
          trends.to,
        ]),
      );
    });

    it('pages a workflow’s logs with filters and cursors', async () => {
      const workflowId = randomUUID();
      const entries = Array.from({ length: 60 }, (_, index) => logEntry(index, workflowId));
      for (const entry of entries) shipper.log(entry);
      await shipper.flush();
      await waitFor(
        async () =>
          (await count('SELECT count(*) FROM log_entries WHERE workflow_id = $1', [workflowId])) === 60
            ? true
            : undefined,
        'the workflow’s entries',
      );
      const errors = entries.filter((entry) => entry.level === LogLevel.Error).reverse();
      const seen: string[] = [];
      let path = `/workflows/${workflowId}/logs?level=error&order=newest&limit=4`;
      for (;;) {
        const page = await api.json<LogPage>(path);
        expect(page.total).toBe(errors.length);
        seen.push(...page.items.map((item) => item.id));
        if (!page.nextCursor) break;
        path = `/workflows/${workflowId}/logs?level=error&order=newest&limit=4&cursor=${page.nextCursor}`;
      }
      expect(seen).toEqual(errors.map((entry) => entry.id));
      const searched = await api.json<LogPage>(
        `/workflows/${workflowId}/logs?search=ENTRY%205&agent=planner`,
      );
      expect(searched.items.map((item) => item.message)).toEqual([
        'entry 5',
        'entry 50',
        'entry 53',
        'entry 56',
        'entry 59',
      ]);
      expect((await api.get(`/workflows/${workflowId}/logs?cursor=bm9wZQ`)).status).toBe(400);
      expect((await api.get(`/workflows/${workflowId}/logs?order=sideways`)).status).toBe(400);
    });

    it('archives old finished workflows on an admin trigger, then still answers them from PostgreSQL', async () => {
      const store = new WorkflowStore(redis, {
        prefix: namespace.redisPrefix,
        finishedTtlSeconds: 30 * HOUR_MS,
      });
      const graph = pinWorkflowGraph(
        compileWorkflowGraph(
          { type: 'ONE_STEP', description: '', steps: [{ id: 'only', agent: 'echo', dependsOn: [] }] },
          () => null,
        ),
        () => 1,
      );
      const create = async () =>
        (
          await store.create(
            {
              workflowId: randomUUID(),
              type: 'ONE_STEP',
              tenantId: 'default',
              sessionId: 's',
              input: {},
              preferences: {},
            },
            graph,
          )
        ).workflowId;
      const fail = async (workflowId: string) => {
        const begun = await store.beginStep(workflowId, 'only', 1);
        if (begun.outcome !== 'run') throw new Error(begun.outcome);
        await store.failStep({
          workflowId,
          stepId: 'only',
          runToken: begun.runToken,
          error: 'broken',
          durationMs: 1,
          retryDelayMs: null,
        });
      };
      // Two days ago, as far as the workflow store's clock is concerned.
      jest.useFakeTimers({
        now: Date.now() - 48 * HOUR_MS,
        doNotFake: [
          'hrtime',
          'nextTick',
          'performance',
          'queueMicrotask',
          'setImmediate',
          'clearImmediate',
          'setInterval',
          'clearInterval',
          'setTimeout',
          'clearTimeout',
        ],
      });
      let old: string;
      try {
        old = await create();
        await fail(old);
      } finally {
        jest.useRealTimers();
      }
      const recent = await create();
      await fail(recent);
      const before = (await store.get(old)) as WorkflowState;

      const triggered = await api.post('/admin/maintenance/workflow-states');
      expect(triggered.status).toBe(202);
      const { jobId, job } = (await triggered.json()) as { jobId: string; job: string };
      expect(job).toBe('CleanupWorkflowStates');
      // Read from the job itself: QueueEvents, made after the trigger, could start listening after
      // a quick job had finished and wait for a notification that never comes.
      const report = await waitFor(async () => {
        const queued = await maintenanceQueue.getJob(jobId);
        if (await queued?.isFailed()) throw new Error(`the cleanup failed: ${queued?.failedReason}`);
        return (await queued?.isCompleted()) ? (queued?.returnvalue as MaintenanceReport) : undefined;
      }, 'the cleanup job to finish');
      expect(report).toMatchObject({ job: 'CleanupWorkflowStates', archived: 1, removed: 1 });

      expect(await store.get(old)).toBeNull();
      expect(await api.json<WorkflowState>(`/workflows/${old}`)).toEqual(before);
      // The listing is the projection, a batch behind the store: both show up once projected.
      const failed = await waitFor(async () => {
        const page = await api.json<WorkflowPage>('/workflows?status=FAILED&limit=10');
        return page.items.length === 2 ? page : undefined;
      }, 'both failed workflows listed');
      expect(failed.items.map((item) => item.workflowId)).toEqual([recent, old]);
      expect(failed.nextCursor).toBeNull();
      const firstPage = await api.json<WorkflowPage>('/workflows?status=FAILED&limit=1');
      const secondPage = await api.json<WorkflowPage>(
        `/workflows?status=FAILED&limit=1&cursor=${firstPage.nextCursor}`,
      );
      expect(secondPage.items.map((item) => [item.workflowId, item.status])).toEqual([
        [old, WorkflowStatus.Failed],
      ]);
      expect(secondPage.nextCursor).toBeNull();
      expect((await api.post('/admin/maintenance/everything')).status).toBe(400);
      expect((await api.as(null).post('/admin/maintenance/logs')).status).toBe(401);
    });
  });
});

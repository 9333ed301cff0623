import { randomUUID } from 'node:crypto';
import {
  AgentLifecycle,
  WorkflowState,
  WorkflowStatus,
  WorkflowSummary,
  emptyWorkflowMetrics,
} from '@app/contracts';
import { DataSource } from 'typeorm';
import { TEST_DATABASE_URL, TestNamespace } from '../../../test/support/test-environment';
import { dataSourceOptions } from './data-source-options';
import { InvalidCursorError } from './keyset-cursor';
import { CreateWorkflowRuns1764000300000 } from './migrations/1764000300000-create-workflow-runs';
import { WorkflowRecordsRepository } from './workflow-records.repository';
import { WorkflowRunSearch, WorkflowRunsRepository } from './workflow-runs.repository';

const BASE = Date.parse('2026-11-24T00:00:00.000Z');

function state(overrides: Partial<WorkflowState> = {}): WorkflowState {
  const createdAt = overrides.createdAt ?? new Date(BASE).toISOString();
  return {
    workflowId: randomUUID(),
    type: 'CREATE_SITE',
    status: WorkflowStatus.Running,
    tenantId: 'acme',
    sessionId: 'session-1',
    createdAt,
    updatedAt: createdAt,
    finishedAt: null,
    error: null,
    completedSteps: 1,
    totalSteps: 3,
    lastEventId: 10,
    input: { request: 'A bakery in Lyon' },
    preferences: {},
    traceId: null,
    steps: [],
    metrics: emptyWorkflowMetrics(),
    result: null,
    ...overrides,
  };
}

function summaryOf(workflow: WorkflowState): WorkflowSummary {
  const { workflowId, type, status, tenantId, sessionId, createdAt, updatedAt, finishedAt, error } = workflow;
  const { completedSteps, totalSteps } = workflow;
  return {
    workflowId,
    type,
    status,
    tenantId,
    sessionId,
    createdAt,
    updatedAt,
    finishedAt,
    error,
    completedSteps,
    totalSteps,
  };
}

/** Newest first, as listings are: by creation time, then id. */
const newestFirst = (a: WorkflowState, b: WorkflowState) =>
  a.createdAt === b.createdAt ? (a.workflowId < b.workflowId ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

describe('WorkflowRunsRepository (real PostgreSQL)', () => {
  const namespace = new TestNamespace();
  let dataSource: DataSource;
  let runs: WorkflowRunsRepository;

  beforeAll(async () => {
    await namespace.prepare();
    dataSource = await new DataSource(
      dataSourceOptions({ url: TEST_DATABASE_URL, schema: namespace.schema, applicationName: 'runs-spec' }),
    ).initialize();
    runs = new WorkflowRunsRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await namespace.dispose();
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE workflow_runs, workflow_records');
  });

  const ids = async (search: Partial<WorkflowRunSearch>) =>
    (await runs.list({ limit: 100, ...search })).items.map((item) => item.workflowId);

  it('lists the projected summaries newest first, filtered by status, type and tenant', async () => {
    const workflows = [
      state({ createdAt: new Date(BASE + 1000).toISOString() }),
      state({
        status: WorkflowStatus.Failed,
        error: 'deploy: disk full',
        createdAt: new Date(BASE + 2000).toISOString(),
      }),
      state({ type: 'AUDIT_ONLY', createdAt: new Date(BASE + 3000).toISOString() }),
      state({ tenantId: 'globex', createdAt: new Date(BASE + 4000).toISOString() }),
    ];
    expect(await runs.upsert(workflows)).toEqual(expect.arrayContaining(workflows.map(summaryOf)));

    const all = await runs.list({ limit: 10 });
    expect(all).toEqual({ items: [...workflows].reverse().map(summaryOf), nextCursor: null, limit: 10 });
    expect(await ids({ status: WorkflowStatus.Failed })).toEqual([workflows[1].workflowId]);
    expect(await ids({ type: 'AUDIT_ONLY' })).toEqual([workflows[2].workflowId]);
    expect(await ids({ tenantId: 'globex' })).toEqual([workflows[3].workflowId]);
    expect(await ids({ tenantId: 'acme', status: WorkflowStatus.Running, type: 'CREATE_SITE' })).toEqual([
      workflows[0].workflowId,
    ]);
    expect(await ids({ tenantId: 'nobody' })).toEqual([]);
  });

  it('finds text in the input or the error, ignoring case, with % and _ taken literally', async () => {
    const bakery = state({ input: { request: 'A Bakery in LYON' } });
    const failed = state({ input: { request: 'a shop' }, error: 'deploy: Disk 100%_full' });
    const other = state({ input: { request: 'a florist, 100 percent' } });
    await runs.upsert([bakery, failed, other]);

    expect(await ids({ q: 'bakery in lyon' })).toEqual([bakery.workflowId]);
    expect(await ids({ q: 'DISK 100%_' })).toEqual([failed.workflowId]);
    expect(await ids({ q: '100%' })).toEqual([failed.workflowId]);
    expect(await ids({ q: '_' })).toEqual([failed.workflowId]);
    expect(await ids({ q: 'nothing like it' })).toEqual([]);
  });

  it('lists the workflows created in [from, to)', async () => {
    const workflows = [0, 1, 2, 3].map((hour) =>
      state({ createdAt: new Date(BASE + hour * 3600_000).toISOString() }),
    );
    await runs.upsert(workflows);
    expect(
      await ids({
        from: new Date(BASE + 3600_000).toISOString(),
        to: new Date(BASE + 3 * 3600_000).toISOString(),
      }),
    ).toEqual([workflows[2].workflowId, workflows[1].workflowId]);
    expect(await ids({ from: new Date(BASE + 3 * 3600_000).toISOString() })).toEqual([
      workflows[3].workflowId,
    ]);
    expect(await ids({ to: new Date(BASE + 1).toISOString() })).toEqual([workflows[0].workflowId]);
  });

  it('pages by keyset across workflows created at the same instant: each once, in order, to the end', async () => {
    // Three at a time share a creation time, so the id must break ties across page boundaries.
    const workflows = Array.from({ length: 23 }, (_, index) =>
      state({ createdAt: new Date(BASE + Math.floor(index / 3) * 1000).toISOString() }),
    );
    await runs.upsert(workflows);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await runs.list({ limit: 4, cursor });
      seen.push(...page.items.map((item) => item.workflowId));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(6);
    expect(seen).toEqual([...workflows].sort(newestFirst).map((workflow) => workflow.workflowId));

    // A workflow started meanwhile does not shift the next page.
    const first = await runs.list({ limit: 4 });
    await runs.upsert([state({ createdAt: new Date(BASE + 3600_000).toISOString() })]);
    const second = await runs.list({ limit: 4, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((item) => item.workflowId)).toEqual(seen.slice(4, 8));
  });

  it('keeps the projection of the latest event: an older state never overwrites a newer one', async () => {
    const running = state({ lastEventId: 12 });
    const completed = {
      ...running,
      status: WorkflowStatus.Completed,
      completedSteps: 3,
      finishedAt: new Date(BASE + 5000).toISOString(),
      updatedAt: new Date(BASE + 5000).toISOString(),
      lastEventId: 20,
      result: { deploy: { siteId: 'bakery', path: '/sites/bakery/' } },
    };
    expect(await runs.upsert([completed])).toEqual([summaryOf(completed)]);
    expect(await runs.upsert([running])).toEqual([]);
    expect((await runs.list({ limit: 1 })).items).toEqual([summaryOf(completed)]);
    // The same event again is written (retention re-archives), and one batch may hold both states.
    expect(await runs.upsert([completed, running])).toEqual([summaryOf(completed)]);
    const [row] = await namespace.query<{ site_url: string; last_event_id: string }>(
      'SELECT site_url, last_event_id FROM workflow_runs',
    );
    expect(row).toEqual({ site_url: '/sites/bakery/', last_event_id: '20' });
  });

  it('refuses a cursor no page returned', async () => {
    for (const cursor of ['abc', Buffer.from('2026-11-24|x').toString('base64url')]) {
      await expect(runs.list({ limit: 10, cursor })).rejects.toThrow(InvalidCursorError);
    }
  });

  it('is backfilled by its migration from the archived workflows', async () => {
    const archived = state({
      status: WorkflowStatus.Completed,
      finishedAt: new Date(BASE + 9000).toISOString(),
      updatedAt: new Date(BASE + 9000).toISOString(),
      steps: ['memory', 'planner'].map((stepId, index) => ({
        stepId,
        agent: stepId,
        dependsOn: [],
        lifecycle: index === 0 ? AgentLifecycle.Completed : AgentLifecycle.Failed,
        attempts: 1,
        startedAt: null,
        finishedAt: null,
        error: null,
        waitingFor: null,
        llmCalls: 0,
        llmTokens: 0,
      })),
      result: { deploy: { path: '/sites/old-bakery/' } },
    });
    await new WorkflowRecordsRepository(dataSource).archive([archived]);
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query('DROP TABLE workflow_runs');
      await new CreateWorkflowRuns1764000300000().up(runner);
    } finally {
      await runner.release();
    }
    expect((await runs.list({ limit: 10 })).items).toEqual([
      { ...summaryOf(archived), completedSteps: 1, totalSteps: 2 },
    ]);
    const [row] = await namespace.query<{ site_url: string; search: string }>(
      'SELECT site_url, search FROM workflow_runs',
    );
    expect(row).toEqual({ site_url: '/sites/old-bakery/', search: '{"request": "a bakery in lyon"} ' });
  });
});

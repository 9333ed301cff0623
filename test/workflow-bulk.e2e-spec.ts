import {
  BulkActionProgress,
  BulkActionStarted,
  BulkActionState,
  CreatedApiKey,
  ServerSocketEvent,
  WorkflowState,
  WorkflowStatus,
} from '@app/contracts';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { TEST_ADMIN_KEY, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';

const WORKFLOWS = 200;

/**
 * Bulk actions through the gateway, an orchestrator running the test agents and the metrics
 * service (whose projection selects the workflows), as processes.
 */
describe('bulk actions on workflows', () => {
  const namespace = new TestNamespace();
  let apps: AppProcess[] = [];
  let admin: ApiClient;
  let acme: ApiClient;
  let globex: ApiClient;
  let acmeSocket: WorkflowClient;
  const progressEvents: BulkActionProgress[] = [];

  const createKey = async (tenantId: string): Promise<string> => {
    const response = await admin.post('/admin/keys', {
      tenantId,
      role: 'client',
      name: `client of ${tenantId}`,
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as CreatedApiKey).key;
  };

  /** Starts `count` waiting workflows as `client`, a few at a time. */
  async function startWaiting(client: ApiClient, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < count; start += 20) {
      ids.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(20, count - start) }, () =>
            client.startWorkflow({ type: 'BULK_WAIT', input: {}, sessionId: 'bulk' }),
          ),
        )),
      );
    }
    return ids;
  }

  /** Waits until the projection lists `count` of a tenant's workflows with `status`. */
  const projected = (tenantId: string, status: WorkflowStatus, count: number) =>
    waitFor(
      async () => {
        const [row] = await namespace.query<{ count: string }>(
          'SELECT count(*) FROM workflow_runs WHERE tenant_id = $1 AND status = $2',
          [tenantId, status],
        );
        return Number(row.count) === count ? true : undefined;
      },
      `${count} ${status} workflows of ${tenantId} in the projection`,
      60_000,
    );

  const statusesOf = async (ids: string[]) =>
    new Set(
      await Promise.all(ids.map(async (id) => (await admin.json<WorkflowState>(`/workflows/${id}`)).status)),
    );

  async function bulk(client: ApiClient, body: object): Promise<BulkActionStarted> {
    const response = await client.post('/workflows/bulk', body);
    if (response.status !== 202) throw new Error(`bulk: ${response.status} ${await response.text()}`);
    return (await response.json()) as BulkActionStarted;
  }

  const finished = (client: ApiClient, jobId: string) =>
    waitFor(
      async () => {
        const progress = await client.json<BulkActionProgress>(`/workflows/bulk/${jobId}`);
        return progress.state === BulkActionState.Completed || progress.state === BulkActionState.Failed
          ? progress
          : undefined;
      },
      `bulk action ${jobId} to end`,
      60_000,
    );

  beforeAll(async () => {
    await namespace.prepare();
    const env = namespace.env({
      AGENT_MODULES: 'test/support/test-agents.ts',
      // Every waiting workflow holds a step slot: all of them run at once.
      STEP_CONCURRENCY: String(WORKFLOWS + 50),
      RATE_LIMIT_PER_MINUTE: '5000',
    });
    apps = await AppProcess.startAll(['gateway', 'orchestrator', 'metrics'], env);
    admin = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    await admin.defineWorkflow('BULK_WAIT', [{ id: 'wait', agent: 'test-wait' }]);
    const acmeKey = await createKey('acme');
    acme = admin.as(acmeKey);
    globex = admin.as(await createKey('globex'));
    acmeSocket = new WorkflowClient(apps[0].url, { token: acmeKey });
    await acmeSocket.connected();
    acmeSocket.socket.on(ServerSocketEvent.BulkProgress, (progress: BulkActionProgress) =>
      progressEvents.push(progress),
    );
  });

  afterAll(async () => {
    acmeSocket?.close();
    await Promise.all(apps.map((app) => app.stop()));
    await namespace.dispose();
  });

  it(`cancels ${WORKFLOWS} running workflows of a tenant by filter, with progress events, and leaves another tenant's running`, async () => {
    const acmeIds = await startWaiting(acme, WORKFLOWS);
    const globexIds = await startWaiting(globex, 5);
    await projected('acme', WorkflowStatus.Running, WORKFLOWS);
    await projected('globex', WorkflowStatus.Running, 5);

    // A client key's filter reaches its own tenant only, whatever it names.
    const { jobId } = await bulk(acme, {
      action: 'cancel',
      filter: { status: WorkflowStatus.Running, type: 'BULK_WAIT' },
    });
    const result = await finished(acme, jobId);
    expect(result).toEqual({
      jobId,
      action: 'cancel',
      state: BulkActionState.Completed,
      total: WORKFLOWS,
      done: WORKFLOWS,
      succeeded: WORKFLOWS,
      failed: 0,
      skipped: 0,
      problems: [],
      error: null,
    });
    expect(await statusesOf(acmeIds)).toEqual(new Set([WorkflowStatus.Cancelled]));
    expect(await statusesOf(globexIds)).toEqual(new Set([WorkflowStatus.Running]));

    // Progress reached the caller's socket as it went: the selection, batches, the end.
    const events = await waitFor(async () => {
      const mine = progressEvents.filter((event) => event.jobId === jobId);
      return mine.at(-1)?.state === BulkActionState.Completed ? mine : undefined;
    }, 'the last bulk.progress event');
    expect(events[0]).toMatchObject({ state: BulkActionState.Running, total: WORKFLOWS, done: 0 });
    const dones = events.map((event) => event.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(new Set(dones).size).toBeGreaterThan(5);
    expect(events.at(-1)).toEqual(result);

    // Another tenant cannot read the job.
    const hidden = await globex.get(`/workflows/bulk/${jobId}`);
    expect(hidden.status).toBe(404);
    expect(((await hidden.json()) as { message: string }).message).toBe(
      `bulk action ${jobId} does not exist`,
    );

    // By ids, as an admin: one already cancelled is skipped, the other tenant's are cancelled.
    const byIds = await bulk(admin, { action: 'cancel', ids: [acmeIds[0], ...globexIds] });
    expect(await finished(admin, byIds.jobId)).toMatchObject({
      total: 6,
      succeeded: 5,
      skipped: 1,
      failed: 0,
      problems: [{ workflowId: acmeIds[0], message: expect.stringContaining('already CANCELLED') }],
    });
    expect(await statusesOf(globexIds)).toEqual(new Set([WorkflowStatus.Cancelled]));
    // The admin's job is not the acme client's to read.
    expect((await acme.get(`/workflows/bulk/${byIds.jobId}`)).status).toBe(404);
  });

  it('skips by ids the workflows of another tenant, as if they did not exist', async () => {
    const [theirs] = await startWaiting(globex, 1);
    const { jobId } = await bulk(acme, { action: 'cancel', ids: [theirs] });
    expect(await finished(acme, jobId)).toMatchObject({
      total: 1,
      succeeded: 0,
      skipped: 1,
      problems: [{ workflowId: theirs, message: `workflow ${theirs} does not exist` }],
    });
    expect((await admin.json<WorkflowState>(`/workflows/${theirs}`)).status).not.toBe(
      WorkflowStatus.Cancelled,
    );
    expect((await admin.post(`/workflows/${theirs}/cancel`)).status).toBe(200);
  });

  it.each([
    ['neither filter nor ids', { action: 'cancel' }, 400, 'either by filter or by ids'],
    [
      'both filter and ids',
      { action: 'cancel', filter: {}, ids: [crypto.randomUUID()] },
      400,
      'either by filter or by ids',
    ],
    ['a replay without fromStep', { action: 'replay', filter: {} }, 400, 'fromStep is required to replay'],
    [
      'fromStep on a cancel',
      { action: 'cancel', filter: {}, fromStep: 'wait' },
      400,
      'fromStep applies to replay only',
    ],
    [
      'an unknown action',
      { action: 'delete', filter: {} },
      400,
      'action must be one of cancel, retry, replay',
    ],
    ['an id that is no UUID', { action: 'cancel', ids: ['nope'] }, 400, 'each of ids must be a workflow id'],
    [
      'another tenant in the filter of a client key',
      { action: 'cancel', filter: { tenantId: 'globex' } },
      403,
      'own tenant',
    ],
  ])('refuses %s', async (_, body, status, message) => {
    const response = await acme.post('/workflows/bulk', body);
    expect(response.status).toBe(status);
    expect(JSON.stringify(await response.json())).toContain(message);
  });

  it('retries the FAILED workflows a filter selects, then replays them by ids', async () => {
    await admin.defineWorkflow('BULK_GATE', [{ id: 'gate', agent: 'test-gate' }]);
    const ids = await Promise.all(
      [1, 2, 3].map(() => acme.startWorkflow({ type: 'BULK_GATE', input: {}, sessionId: 'bulk' })),
    );
    await waitFor(async () => {
      const page = await acme.json<{ items: unknown[] }>('/workflows?type=BULK_GATE&status=FAILED');
      return page.items.length === 3 ? true : undefined;
    }, 'three failed workflows listed');
    const { jobId } = await bulk(acme, { action: 'retry', filter: { type: 'BULK_GATE' } });
    const result = await finished(acme, jobId);
    expect(result).toMatchObject({ total: 3, succeeded: 3, failed: 0, skipped: 0 });
    // Retried and failed again (the gate is closed): each one's step ran twice.
    await waitFor(
      async () => ((await statusesOf(ids)).has(WorkflowStatus.Running) ? undefined : true),
      'the retried workflows to end again',
    );
    for (const id of ids) {
      const state = await acme.json<WorkflowState>(`/workflows/${id}`);
      expect(state.steps[0].attempts).toBeGreaterThan(1);
    }

    const replays = await bulk(acme, {
      action: 'replay',
      ids: [...ids, crypto.randomUUID()],
      fromStep: 'gate',
    });
    expect(await finished(acme, replays.jobId)).toMatchObject({
      total: 4,
      succeeded: 3,
      skipped: 1,
      failed: 0,
    });
    await waitFor(async () => {
      const page = await acme.json<{ items: unknown[] }>('/workflows?type=BULK_GATE');
      return page.items.length === 6 ? true : undefined;
    }, 'three replays listed beside the three originals');
  });
});

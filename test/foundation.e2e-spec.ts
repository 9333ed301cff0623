import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AgentLifecycle,
  AgentStatusEvent,
  ProgressEvent,
  WorkflowEventType,
  WorkflowPage,
  WorkflowState,
  WorkflowStatus,
} from '@app/contracts';
import { AppProcess } from './support/app-process';
import { ApiClient } from './support/api-client';
import { TEST_ADMIN_KEY, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';

const LIFECYCLE_ORDER = [
  AgentLifecycle.Registered,
  AgentLifecycle.Ready,
  AgentLifecycle.Executing,
  AgentLifecycle.Completed,
];

describe('the foundation: one workflow end to end across three processes', () => {
  const namespace = new TestNamespace();
  let sitesDir: string;
  let apps: Record<'gateway' | 'orchestrator' | 'metrics', AppProcess>;
  let client: WorkflowClient;

  let api: ApiClient;
  const post = (path: string, body: unknown) => api.post(path, body);
  const get = (path: string) => api.get(path);

  beforeAll(async () => {
    await namespace.prepare();
    sitesDir = await mkdtemp(join(tmpdir(), 'sites-'));
    const env = namespace.env({ SITES_DIR: sitesDir });
    const [gateway, orchestrator, metrics] = await AppProcess.startAll(
      ['gateway', 'orchestrator', 'metrics'],
      env,
    );
    apps = { gateway, orchestrator, metrics };
    api = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    client = new WorkflowClient(gateway.url);
    await client.connected();
  });

  afterAll(async () => {
    client?.close();
    await Promise.all(Object.values(apps ?? {}).map((app) => app.stop()));
    await namespace.dispose();
    await rm(sitesDir, { recursive: true, force: true });
  });

  it('runs CREATE_SITE: ordered agent_status and progress events, a final complete, COMPLETED, log rows in PostgreSQL', async () => {
    const response = await post('/workflows', {
      type: 'CREATE_SITE',
      input: { request: 'Create a portfolio website for a wildlife photographer, dark theme' },
      sessionId: 'session-e2e',
    });
    expect(response.status).toBe(202);
    const { workflowId } = (await response.json()) as { workflowId: string };

    const ack = await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    expect(ack).toMatchObject({ ok: true, workflowId });
    const final = await client.finished(workflowId);
    expect(final).toMatchObject({ type: WorkflowEventType.Complete, status: WorkflowStatus.Completed });

    const events = client.of(workflowId);
    expect(events.map((event) => event.eventId)).toEqual(events.map((_, index) => index + 1));
    expect(events.at(-1)).toBe(final);
    const steps = ['memory', 'planner', 'content', 'design', 'builder', 'audit', 'deploy'];
    for (const stepId of steps) {
      const lifecycle = events
        .filter(
          (event): event is AgentStatusEvent =>
            event.type === WorkflowEventType.AgentStatus && event.stepId === stepId,
        )
        .map((event) => event.lifecycle);
      expect(lifecycle).toEqual(LIFECYCLE_ORDER);
    }
    const progress = events.filter(
      (event): event is ProgressEvent => event.type === WorkflowEventType.Progress,
    );
    // PENDING when created, RUNNING as its first step begins, then one per completed step.
    expect(progress.map((event) => event.completedSteps)).toEqual([0, 0, 1, 2, 3, 4, 5, 6, 7]);
    expect(progress.slice(0, 2).map((event) => event.status)).toEqual([
      WorkflowStatus.Pending,
      WorkflowStatus.Running,
    ]);
    expect(progress.at(-1)).toMatchObject({ percent: 100, totalSteps: 7 });
    // A step starts only after the steps it depends on completed.
    const position = (stepId: string, lifecycle: AgentLifecycle) =>
      events.findIndex(
        (event) =>
          event.type === WorkflowEventType.AgentStatus &&
          event.stepId === stepId &&
          event.lifecycle === lifecycle,
      );
    expect(position('builder', AgentLifecycle.Executing)).toBeGreaterThan(
      position('content', AgentLifecycle.Completed),
    );
    expect(position('builder', AgentLifecycle.Executing)).toBeGreaterThan(
      position('design', AgentLifecycle.Completed),
    );

    const state = (await (await get(`/workflows/${workflowId}`)).json()) as WorkflowState;
    expect(state.status).toBe(WorkflowStatus.Completed);
    expect(state.steps.map((step) => [step.stepId, step.lifecycle])).toEqual(
      steps.map((stepId) => [stepId, AgentLifecycle.Completed]),
    );
    expect(state.metrics.totalDurationMs).toBeGreaterThan(0);
    expect(Object.keys(state.metrics.agentDurationsMs).sort()).toEqual([...steps].sort());
    expect(state.result).toMatchObject({ deploy: { siteId: expect.any(String), version: 1 } });

    const rows = await waitFor(async () => {
      const found = await namespace.query<{ agent: string; message: string }>(
        'SELECT agent, message FROM log_entries WHERE workflow_id = $1',
        [workflowId],
      );
      return found.filter((row) => row.message.startsWith('step ')).length >= steps.length
        ? found
        : undefined;
    }, 'the log rows of every step');
    expect(new Set(rows.map((row) => row.agent))).toEqual(new Set(steps));
    const logs = (await (await get(`/workflows/${workflowId}/logs?limit=1000`)).json()) as { total: number };
    expect(logs.total).toBe(rows.length);

    // Listed from the projection, which follows the store a batch behind.
    const listed = await waitFor(async () => {
      const page = (await (await get('/workflows?status=COMPLETED')).json()) as WorkflowPage;
      return page.items.find((item) => item.workflowId === workflowId);
    }, 'the workflow listed as COMPLETED');
    expect(listed).toMatchObject({ status: WorkflowStatus.Completed, completedSteps: steps.length });
  });

  describe('bad input gets a clear error and the server keeps serving', () => {
    it.each([
      ['a missing type', { input: {}, sessionId: 's' }, /type must be a string/],
      [
        'an unknown type',
        { type: 'BAKE_CAKE', input: {}, sessionId: 's' },
        /type must be a known workflow type \(CREATE_SITE, .*\); got "BAKE_CAKE"/,
      ],
      [
        'a non-object input',
        { type: 'CREATE_SITE', input: 'make me a site', sessionId: 's' },
        /input must be an object/,
      ],
      ['an array input', { type: 'CREATE_SITE', input: [1], sessionId: 's' }, /input must be an object/],
      ['a missing session', { type: 'CREATE_SITE', input: {} }, /sessionId must be a string/],
      [
        'an unknown field',
        { type: 'CREATE_SITE', input: {}, sessionId: 's', colour: 'blue' },
        /property colour should not exist/,
      ],
      [
        'a priority out of range',
        { type: 'CREATE_SITE', input: {}, sessionId: 's', priority: 9 },
        /priority must be an integer from 1 to 5/,
      ],
    ])('%s: 400 naming the field', async (_, body, message) => {
      const response = await post('/workflows', body);
      expect(response.status).toBe(400);
      const { message: said } = (await response.json()) as { message: string | string[] };
      expect([said].flat().join('; ')).toMatch(message);
    });

    it('a malformed JSON body: 400', async () => {
      const response = await post('/workflows', '{"type": "CREATE_SITE", ');
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(/JSON/);
    });

    it('an unknown workflow id: 404; a malformed one: 400', async () => {
      const unknown = await get('/workflows/7f1b5a0e-2b1c-4c3d-9e8f-0a1b2c3d4e5f');
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { message: string }).message).toBe(
        'workflow 7f1b5a0e-2b1c-4c3d-9e8f-0a1b2c3d4e5f does not exist',
      );
      expect((await get('/workflows/not-a-uuid')).status).toBe(400);
      expect((await get('/workflows/7f1b5a0e-2b1c-4c3d-9e8f-0a1b2c3d4e5f/logs')).status).toBe(404);
    });

    it('bad paging or filters: 400', async () => {
      expect((await get('/workflows?limit=0')).status).toBe(400);
      expect((await get('/workflows?status=DONE')).status).toBe(400);
      expect((await get('/workflows?offset=20')).status).toBe(400);
      expect((await get('/workflows?from=yesterday')).status).toBe(400);
      expect((await get('/workflows?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z')).status).toBe(400);
      const badCursor = await get(`/workflows?cursor=${Buffer.from('not a position').toString('base64url')}`);
      expect(badCursor.status).toBe(400);
      expect(((await badCursor.json()) as { message: string }).message).toBe(
        'cursor must be the nextCursor of a previous page',
      );
    });

    it('an unknown Socket.IO event: an error event and ack, then ping still answers pong', async () => {
      const errors = client.errors.length;
      const ack = await client.socket.emitWithAck('workflow.explode', { now: true });
      expect(ack).toEqual({
        ok: false,
        error: {
          code: 'UNKNOWN_EVENT',
          message: expect.stringContaining('unknown event "workflow.explode"'),
        },
      });
      await waitFor(async () => (client.errors.length > errors ? true : undefined), 'the error event');
      const pong = new Promise((resolve) => client.socket.once('pong', resolve));
      client.socket.emit('ping');
      expect(await pong).toEqual({ timestamp: expect.any(String) });
    });

    it('a bad subscribe payload or an unknown workflow: error acks', async () => {
      expect(await client.socket.emitWithAck('workflow.subscribe', { workflowId: 'nope' })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_PAYLOAD', message: expect.stringContaining('workflowId must be a UUID') },
      });
      expect(await client.socket.emitWithAck('workflow.subscribe', 'just a string')).toMatchObject({
        ok: false,
        error: { code: 'INVALID_PAYLOAD' },
      });
      expect(
        await client.socket.emitWithAck('workflow.subscribe', {
          workflowId: '7f1b5a0e-2b1c-4c3d-9e8f-0a1b2c3d4e5f',
        }),
      ).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND' },
      });
      expect(client.socket.connected).toBe(true);
    });

    it('each app reports its connections as up on /health', async () => {
      for (const app of Object.values(apps)) {
        const health = (await (await fetch(`${app.url}/health`)).json()) as {
          status: string;
          info: Record<string, unknown>;
        };
        expect(health.status).toBe('ok');
        expect(health.info.redis).toEqual({ status: 'up' });
      }
    });
  });
});

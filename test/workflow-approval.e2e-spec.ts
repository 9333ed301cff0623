import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AgentLifecycle,
  CreatedApiKey,
  ErrorEvent,
  ProgressEvent,
  WorkflowEventType,
  WorkflowPage,
  WorkflowState,
  WorkflowStatus,
  publishedSitePath,
} from '@app/contracts';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { TEST_ADMIN_KEY, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';

/**
 * Approval steps through the real services: a workflow waits for a person (WAITING) without
 * holding a worker, across restarts of the orchestrator and the gateway, and goes on when
 * someone of its tenant decides over REST or Socket.IO, or when its deadline passes.
 */
describe('approval steps', () => {
  const namespace = new TestNamespace();
  const sitesDir = mkdtempSync(join(tmpdir(), 'approval-e2e-'));
  const env = namespace.env({ AGENT_MODULES: 'test/support/test-agents.ts', SITES_DIR: sitesDir });
  let gateway: AppProcess;
  let orchestrator: AppProcess;
  let metrics: AppProcess;
  let admin: ApiClient;
  let acme: ApiClient;
  let globex: ApiClient;
  let acmeKey: CreatedApiKey;
  let globexKey: CreatedApiKey;
  let client: WorkflowClient;

  /** Clients of the gateway (again after it restarts, on a new port). */
  const connect = async () => {
    admin = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    acme = admin.as(acmeKey.key);
    globex = admin.as(globexKey.key);
    client?.close();
    client = new WorkflowClient(gateway.url);
    await client.connected();
  };
  const createKey = async (tenantId: string): Promise<CreatedApiKey> => {
    const response = await admin.post('/admin/keys', {
      tenantId,
      role: 'client',
      name: `client of ${tenantId}`,
    });
    expect(response.status).toBe(201);
    return (await response.json()) as CreatedApiKey;
  };
  const state = (workflowId: string) => admin.json<WorkflowState>(`/workflows/${workflowId}`);
  /** Starts a workflow of tenant acme and subscribes to its events. */
  const start = async (type: string) => {
    const workflowId = await acme.startWorkflow({ type, input: {}, sessionId: 'approval' });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    return workflowId;
  };
  const waiting = (workflowId: string) =>
    client.next(
      (event) =>
        event.workflowId === workflowId &&
        event.type === WorkflowEventType.Progress &&
        event.status === WorkflowStatus.Waiting,
    ) as Promise<ProgressEvent>;
  const decide = (api: ApiClient, workflowId: string, decision: 'approve' | 'reject', body: unknown = {}) =>
    api.post(`/workflows/${workflowId}/steps/approve/${decision}`, body);
  const definition = (type: string, approval: Record<string, unknown>) =>
    admin.post('/workflow-definitions', {
      type,
      description: 'first, a person approves, then',
      steps: [
        { id: 'first', agent: 'test-echo', dependsOn: [] },
        { id: 'approve', approval, dependsOn: ['first'] },
        { id: 'then', agent: 'test-echo', dependsOn: ['approve'] },
      ],
    });

  beforeAll(async () => {
    await namespace.prepare();
    [gateway, orchestrator, metrics] = await AppProcess.startAll(['gateway', 'orchestrator', 'metrics'], env);
    admin = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    acmeKey = await createKey('acme');
    globexKey = await createKey('globex');
    await connect();
    for (const [type, approval] of [
      ['APPROVED', { onTimeout: 'fail' }],
      ['DEADLINE_FAILS', { deadlineSeconds: 1, onTimeout: 'fail' }],
      ['DEADLINE_DEFAULTS', { deadlineSeconds: 1, onTimeout: 'default', default: { plan: 'as planned' } }],
    ] as const) {
      const response = await definition(type, approval);
      expect(response.status).toBe(201);
    }
  });

  afterAll(async () => {
    client?.close();
    await Promise.all([gateway, orchestrator, metrics].map((app) => app?.stop()));
    await namespace.dispose();
    rmSync(sitesDir, { recursive: true, force: true });
  });

  it('refuses a definition whose approval step is wrong, naming it', async () => {
    const response = await definition('BROKEN', { onTimeout: 'maybe' });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain(
      'onTimeout must be one of the following values: fail, default',
    );
    const rooted = await admin.post('/workflow-definitions', {
      type: 'BROKEN',
      description: 'x',
      steps: [{ id: 'approve', approval: { onTimeout: 'fail' }, dependsOn: [] }],
    });
    expect(rooted.status).toBe(400);
    expect(((await rooted.json()) as { message: string }).message).toContain(
      'step "approve" is an approval step with no step before it',
    );
  });

  it('waits (WAITING) across restarts of the orchestrator and the gateway, then goes on with the approved payload', async () => {
    const workflowId = await start('APPROVED');
    await waiting(workflowId);
    const waitingState = await state(workflowId);
    expect(waitingState.status).toBe(WorkflowStatus.Waiting);
    expect(waitingState.steps.find((step) => step.stepId === 'approve')).toMatchObject({
      lifecycle: AgentLifecycle.Ready,
      waitingFor: 'approval',
    });
    expect(waitingState.steps.find((step) => step.stepId === 'then')?.lifecycle).toBe(
      AgentLifecycle.Registered,
    );
    // Listed as WAITING, from the projection in PostgreSQL.
    await waitFor(async () => {
      const page = await admin.json<WorkflowPage>('/workflows?status=WAITING');
      return page.items.some((item) => item.workflowId === workflowId) ? page : undefined;
    }, 'the workflow listed as WAITING');

    await Promise.all([orchestrator.stop(), gateway.stop()]);
    [orchestrator, gateway] = await Promise.all([
      AppProcess.start('orchestrator', env),
      AppProcess.start('gateway', env),
    ]);
    await connect();
    expect((await state(workflowId)).status).toBe(WorkflowStatus.Waiting);

    // Approved over Socket.IO by a client key of the workflow's tenant.
    const tenantSocket = new WorkflowClient(gateway.url, { token: acmeKey.key });
    try {
      await tenantSocket.connected();
      await tenantSocket.socket.emitWithAck('workflow.subscribe', { workflowId });
      const ack = (await tenantSocket.socket.emitWithAck('workflow.approve', {
        workflowId,
        stepId: 'approve',
        payload: { plan: 'edited by a person' },
        comment: 'looks good',
      })) as { ok: boolean; status?: string };
      expect(ack).toMatchObject({ ok: true });
      expect(await tenantSocket.finished(workflowId)).toMatchObject({ status: WorkflowStatus.Completed });
      const events = tenantSocket.of(workflowId);
      expect(events).toContainEqual(
        expect.objectContaining({
          type: WorkflowEventType.Log,
          message: `step approve approved by key ${acmeKey.id}: looks good`,
        }),
      );
    } finally {
      tenantSocket.close();
    }
    const finished = await state(workflowId);
    expect(finished.result).toEqual({ then: { stepId: 'then', saw: ['approve', 'first'] } });
    const output = await admin.json<{ output: unknown }>(`/workflows/${workflowId}/outputs/approve`);
    expect(output.output).toEqual({ plan: 'edited by a person' });

    // Approving twice, or a workflow that is not waiting: 409.
    const twice = await decide(acme, workflowId, 'approve');
    expect(twice.status).toBe(409);
    expect(((await twice.json()) as { message: string }).message).toContain('is not waiting for approval');
  });

  it('a rejection ends the workflow FAILED, naming the step, who rejected it and why', async () => {
    const workflowId = await start('APPROVED');
    await waiting(workflowId);
    const response = await decide(acme, workflowId, 'reject', { comment: 'wrong colours' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as WorkflowState).status).toBe(WorkflowStatus.Failed);
    const error = (await client.finished(workflowId)) as ErrorEvent;
    expect(error).toMatchObject({
      type: WorkflowEventType.Error,
      stepId: 'approve',
      message: `approve: rejected by key ${acmeKey.id}: wrong colours`,
    });
    expect((await state(workflowId)).steps.find((step) => step.stepId === 'then')?.lifecycle).toBe(
      AgentLifecycle.Registered,
    );
    expect((await decide(acme, workflowId, 'approve')).status).toBe(409);
  });

  it('answers another tenant 404, a bad body 400, a step that is no approval 409, over REST and Socket.IO', async () => {
    const workflowId = await start('APPROVED');
    await waiting(workflowId);
    const foreign = await decide(globex, workflowId, 'approve');
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { message: string }).message).toBe(
      `workflow ${workflowId} does not exist`,
    );
    expect((await decide(acme, workflowId, 'approve', { payload: 'not an object' })).status).toBe(400);
    expect((await decide(acme, workflowId, 'reject', { payload: { plan: 'x' } })).status).toBe(400);
    expect((await acme.post(`/workflows/${workflowId}/steps/first/approve`, {})).status).toBe(409);
    expect((await acme.post(`/workflows/${workflowId}/steps/ghost/approve`, {})).status).toBe(404);
    const ack = (await client.socket.emitWithAck('workflow.approve', { workflowId, stepId: 'Bad Step' })) as {
      ok: boolean;
      error?: { code: string };
    };
    expect(ack).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    // Still waiting after all that.
    expect((await state(workflowId)).status).toBe(WorkflowStatus.Waiting);
    expect((await admin.post(`/workflows/${workflowId}/cancel`)).status).toBe(200);
    const conflict = (await client.socket.emitWithAck('workflow.approve', {
      workflowId,
      stepId: 'approve',
    })) as {
      ok: boolean;
      error?: { code: string };
    };
    expect(conflict).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('the deadline fails the workflow, or approves it with the default, when nobody decides', async () => {
    const fails = await start('DEADLINE_FAILS');
    const defaults = await start('DEADLINE_DEFAULTS');
    expect(await client.finished(fails, 30_000)).toMatchObject({
      type: WorkflowEventType.Error,
      message: 'approve: no decision before the deadline (1 s)',
    });
    expect(await client.finished(defaults, 30_000)).toMatchObject({ status: WorkflowStatus.Completed });
    expect((await admin.json<{ output: unknown }>(`/workflows/${defaults}/outputs/approve`)).output).toEqual({
      plan: 'as planned',
    });
    // Both waited first.
    for (const workflowId of [fails, defaults])
      expect(
        client
          .of(workflowId)
          .some(
            (event) => event.type === WorkflowEventType.Progress && event.status === WorkflowStatus.Waiting,
          ),
      ).toBe(true);
    expect((await decide(acme, fails, 'approve')).status).toBe(409);
  });

  it('CREATE_SITE with preferences.approvePlan waits after the planner, and builds the plan as approved', async () => {
    const workflowId = await acme.startWorkflow({
      type: 'CREATE_SITE',
      input: { request: 'A website for my bakery in Lisbon' },
      preferences: { approvePlan: true },
      sessionId: 'approve-plan',
    });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    await waiting(workflowId);
    const waitingState = await state(workflowId);
    expect(waitingState.steps.map((step) => [step.stepId, step.lifecycle])).toEqual([
      ['memory', AgentLifecycle.Completed],
      ['planner', AgentLifecycle.Completed],
      ['approve-plan', AgentLifecycle.Ready],
      ['content', AgentLifecycle.Registered],
      ['design', AgentLifecycle.Registered],
      ['builder', AgentLifecycle.Registered],
      ['audit', AgentLifecycle.Registered],
      ['deploy', AgentLifecycle.Registered],
    ]);
    const approve = await acme.post(`/workflows/${workflowId}/steps/approve-plan/approve`, {
      payload: { spec: { name: 'Pastelaria Approved' } },
    });
    expect(approve.status).toBe(200);
    expect(await client.finished(workflowId, 120_000)).toMatchObject({ status: WorkflowStatus.Completed });
    const sitePath = publishedSitePath((await state(workflowId)).result);
    expect(sitePath).not.toBeNull();
    const home = await (await fetch(`${gateway.url}${sitePath}`)).text();
    expect(home).toContain('Pastelaria Approved');
  });

  it('CREATE_SITE without approvePlan runs as before, with no approval step', async () => {
    const workflowId = await acme.startWorkflow({
      type: 'CREATE_SITE',
      input: { request: 'A website for my bakery in Porto' },
      sessionId: 'no-approval',
    });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    expect(await client.finished(workflowId, 120_000)).toMatchObject({ status: WorkflowStatus.Completed });
    expect((await state(workflowId)).steps.map((step) => step.stepId)).not.toContain('approve-plan');
  });
});

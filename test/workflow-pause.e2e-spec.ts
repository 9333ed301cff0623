import {
  AgentLifecycle,
  AgentStatusEvent,
  CreatedApiKey,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowState,
  WorkflowStatus,
} from '@app/contracts';
import { RedisClient } from '@app/redis';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { executionsOf } from './support/test-agents';
import { TEST_ADMIN_KEY, connectTestRedis, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';

const STEPS = ['a', 'b', 'c', 'd'];

/**
 * Pausing and resuming a workflow through the real services. The orchestrator runs one step of
 * an agent at a time (STEP_CONCURRENCY=1), so a step's job is still queued when the pause lands
 * and arrives while the workflow is PAUSED.
 */
describe('pause and resume', () => {
  const namespace = new TestNamespace();
  let apps: AppProcess[] = [];
  let admin: ApiClient;
  let acme: ApiClient;
  let acmeKey: CreatedApiKey;
  let client: WorkflowClient;
  let redis: RedisClient;

  const state = (workflowId: string) => admin.json<WorkflowState>(`/workflows/${workflowId}`);
  const executions = async (workflowId: string) =>
    Object.fromEntries(
      await Promise.all(
        STEPS.map(
          async (stepId) =>
            [stepId, (await executionsOf(redis, namespace.redisPrefix, workflowId, stepId)).length] as const,
        ),
      ),
    );
  const isStepEvent =
    (workflowId: string, stepId: string, lifecycle: AgentLifecycle) => (event: WorkflowEvent) =>
      event.workflowId === workflowId &&
      event.type === WorkflowEventType.AgentStatus &&
      event.stepId === stepId &&
      event.lifecycle === lifecycle;
  /** a (slow) and b are roots; c joins them; d follows c. */
  const start = async () => {
    const workflowId = await acme.startWorkflow({
      type: 'PAUSABLE',
      input: { sleepMs: { a: 1500 } },
      sessionId: 'pause',
    });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    return workflowId;
  };

  beforeAll(async () => {
    await namespace.prepare();
    redis = connectTestRedis();
    apps = await AppProcess.startAll(
      ['gateway', 'orchestrator', 'metrics'],
      namespace.env({ AGENT_MODULES: 'test/support/test-agents.ts', STEP_CONCURRENCY: '1' }),
    );
    admin = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    const response = await admin.post('/admin/keys', { tenantId: 'acme', role: 'client', name: 'acme' });
    acmeKey = (await response.json()) as CreatedApiKey;
    acme = admin.as(acmeKey.key);
    client = new WorkflowClient(apps[0].url, { token: acmeKey.key });
    await client.connected();
    await admin.defineWorkflow('PAUSABLE', [
      { id: 'a', agent: 'test-echo' },
      { id: 'b', agent: 'test-echo' },
      { id: 'c', agent: 'test-echo', dependsOn: ['a', 'b'] },
      { id: 'd', agent: 'test-echo', dependsOn: ['c'] },
    ]);
  });

  afterAll(async () => {
    client?.close();
    await Promise.all(apps.map((app) => app.stop()));
    await redis?.quit();
    await namespace.dispose();
  });

  it('while paused, the running step finishes and nothing new starts; resuming runs every step once', async () => {
    const workflowId = await start();
    await client.next(isStepEvent(workflowId, 'a', AgentLifecycle.Executing));
    const paused = (await client.socket.emitWithAck('workflow.pause', { workflowId })) as {
      ok: boolean;
      status: string;
    };
    expect(paused).toEqual({ ok: true, workflowId, status: WorkflowStatus.Paused });
    const pausedAt = (
      await client.next(
        (event) =>
          event.workflowId === workflowId &&
          event.type === WorkflowEventType.Progress &&
          event.status === WorkflowStatus.Paused,
      )
    ).eventId;
    // The step that was running finishes and records its output.
    await client.next(isStepEvent(workflowId, 'a', AgentLifecycle.Completed));
    expect(await admin.json(`/workflows/${workflowId}/outputs/a`)).toMatchObject({ output: { stepId: 'a' } });
    // b's job (queued behind a) arrives and is parked, or c is held: wait until one is, then give
    // a step that should not begin a short while to show itself.
    await waitFor(async () => {
      const current = await state(workflowId);
      return current.steps.some((step) => step.waitingFor === 'workflow paused') ? true : undefined;
    }, 'a step held by the pause');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const begunWhilePaused = client
      .of(workflowId)
      .filter(
        (event): event is AgentStatusEvent =>
          event.eventId > pausedAt &&
          event.type === WorkflowEventType.AgentStatus &&
          event.lifecycle === AgentLifecycle.Executing,
      );
    expect(begunWhilePaused).toEqual([]);
    const whilePaused = await state(workflowId);
    expect(whilePaused.status).toBe(WorkflowStatus.Paused);
    const after = await executions(workflowId);
    expect(after.a).toBe(1);
    expect(after.c + after.d).toBe(0);
    // b either ran before a (and c is held) or was parked when its job arrived: either way it waits.
    const held = whilePaused.steps
      .filter((step) => step.waitingFor === 'workflow paused')
      .map((step) => step.stepId);
    expect(held).toEqual([after.b === 1 ? 'c' : 'b']);

    const resumed = await acme.post(`/workflows/${workflowId}/resume`);
    expect(resumed.status).toBe(200);
    expect(((await resumed.json()) as WorkflowState).status).toBe(WorkflowStatus.Running);
    expect(await client.finished(workflowId)).toMatchObject({ status: WorkflowStatus.Completed });
    expect(await executions(workflowId)).toEqual({ a: 1, b: 1, c: 1, d: 1 });
    expect((await state(workflowId)).result).toEqual({ d: { stepId: 'd', saw: ['a', 'b', 'c'] } });
    const log = client.of(workflowId).filter((event) => event.type === WorkflowEventType.Log);
    expect(log.map((event) => event.type === WorkflowEventType.Log && event.message)).toEqual(
      expect.arrayContaining([
        `workflow paused by key ${acmeKey.id}`,
        `workflow resumed by key ${acmeKey.id}`,
      ]),
    );
  });

  it('cancels a paused workflow; refuses to pause or resume what is not running or paused (409), and another tenant (404)', async () => {
    const workflowId = await start();
    expect((await acme.post(`/workflows/${workflowId}/resume`)).status).toBe(409);
    const other = admin.as(
      (
        (await (
          await admin.post('/admin/keys', { tenantId: 'globex', role: 'client', name: 'globex' })
        ).json()) as CreatedApiKey
      ).key,
    );
    expect((await other.post(`/workflows/${workflowId}/pause`)).status).toBe(404);
    expect((await acme.post(`/workflows/${workflowId}/pause`)).status).toBe(200);
    const twice = await acme.post(`/workflows/${workflowId}/pause`);
    expect(twice.status).toBe(409);
    expect(((await twice.json()) as { message: string }).message).toContain('is PAUSED');
    expect((await acme.post(`/workflows/${workflowId}/cancel`)).status).toBe(200);
    expect(await client.finished(workflowId)).toMatchObject({ status: WorkflowStatus.Cancelled });
    const ack = (await client.socket.emitWithAck('workflow.resume', { workflowId })) as {
      ok: boolean;
      error?: { code: string; message: string };
    };
    expect(ack).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(ack.error?.message).toContain('is CANCELLED, not PAUSED');
  });
});

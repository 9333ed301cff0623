import {
  AgentLifecycle,
  AgentStatusEvent,
  LogEvent,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowPage,
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

/**
 * The workflow engine through the real services: the gateway and an orchestrator as separate
 * processes, the test agents loaded into the orchestrator, workflows defined through the API.
 */
describe('the workflow engine', () => {
  const namespace = new TestNamespace();
  let apps: AppProcess[] = [];
  let gateway: AppProcess;
  let api: ApiClient;
  let client: WorkflowClient;
  let redis: RedisClient;

  /** Starts a workflow of `type`, subscribes, and resolves with its terminal event. */
  const run = async (type: string, input: Record<string, unknown> = {}, headers?: Record<string, string>) => {
    const workflowId = await api.startWorkflow({ type, input, sessionId: 'engine' }, headers);
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    return { workflowId, finished: client.finished(workflowId) };
  };

  const state = (workflowId: string) => api.json<WorkflowState>(`/workflows/${workflowId}`);
  const executions = (workflowId: string, stepId: string) =>
    executionsOf(redis, namespace.redisPrefix, workflowId, stepId);
  const statuses = (events: WorkflowEvent[], stepId: string) =>
    events
      .filter(
        (event): event is AgentStatusEvent =>
          event.type === WorkflowEventType.AgentStatus && event.stepId === stepId,
      )
      .map((event) => event.lifecycle);

  beforeAll(async () => {
    await namespace.prepare();
    redis = connectTestRedis();
    const env = namespace.env({ AGENT_MODULES: 'test/support/test-agents.ts' });
    apps = await AppProcess.startAll(['gateway', 'orchestrator', 'metrics'], env);
    gateway = apps[0];
    api = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    client = new WorkflowClient(gateway.url);
    await client.connected();
    await api.defineWorkflow('DIAMOND', [
      { id: 'a', agent: 'test-echo' },
      { id: 'b', agent: 'test-echo', dependsOn: ['a'] },
      { id: 'c', agent: 'test-echo', dependsOn: ['a'] },
      { id: 'd', agent: 'test-echo', dependsOn: ['b', 'c'] },
    ]);
  });

  afterAll(async () => {
    client?.close();
    await Promise.all(apps.map((app) => app.stop()));
    await redis?.quit();
    await namespace.dispose();
  });

  describe('definitions are validated when registered', () => {
    it.each([
      [
        'an agent no worker has registered',
        [{ id: 'x', agent: 'no-such-agent', dependsOn: [] }],
        'step "x" uses agent "no-such-agent", which no worker has registered',
      ],
      [
        'a major version of an agent no worker has registered',
        [{ id: 'x', agent: 'test-echo@2', dependsOn: [] }],
        'step "x" uses agent "test-echo@2", but no worker has registered major 2 of it (registered: test-echo@1)',
      ],
    ])('rejects %s with 422, naming it', async (_, steps, message) => {
      const response = await api.post('/workflow-definitions', { type: 'BROKEN', description: 'x', steps });
      expect(response.status).toBe(422);
      expect(((await response.json()) as { message: string }).message).toContain(message);
      expect((await api.get('/workflow-definitions/BROKEN')).status).toBe(404);
    });

    it.each([
      [
        'a missing dependency',
        [{ id: 'x', agent: 'test-echo', dependsOn: ['ghost'] }],
        'step "x" depends on missing step "ghost"',
      ],
      [
        'a cycle',
        [
          { id: 'x', agent: 'test-echo', dependsOn: ['y'] },
          { id: 'y', agent: 'test-echo', dependsOn: ['x'] },
        ],
        'has a cycle: x → y → x',
      ],
    ])('rejects %s with 400', async (_, steps, message) => {
      const response = await api.post('/workflow-definitions', { type: 'BROKEN', description: 'x', steps });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toContain(message);
      expect((await api.get('/workflow-definitions/BROKEN')).status).toBe(404);
    });

    it('refuses to replace a built-in type', async () => {
      const response = await api.post('/workflow-definitions', {
        type: 'CREATE_SITE',
        description: 'x',
        steps: [{ id: 'x', agent: 'test-echo', dependsOn: [] }],
      });
      expect(response.status).toBe(409);
    });
  });

  it('runs a diamond: B and C overlap in time, D receives the context of both', async () => {
    const { workflowId, finished } = await run('DIAMOND', { sleepMs: { b: 700, c: 700 } });
    expect(await finished).toMatchObject({
      type: WorkflowEventType.Complete,
      status: WorkflowStatus.Completed,
    });
    const [b] = await executions(workflowId, 'b');
    const [c] = await executions(workflowId, 'c');
    expect(b.startedAt).toBeLessThan(c.finishedAt);
    expect(c.startedAt).toBeLessThan(b.finishedAt);
    const [a] = await executions(workflowId, 'a');
    const [d] = await executions(workflowId, 'd');
    expect(a.finishedAt).toBeLessThanOrEqual(Math.min(b.startedAt, c.startedAt));
    expect(d.startedAt).toBeGreaterThanOrEqual(Math.max(b.finishedAt, c.finishedAt));
    expect((await state(workflowId)).result).toEqual({ d: { stepId: 'd', saw: ['a', 'b', 'c'] } });
  });

  it('retries a flaky agent: succeeds on its third try after two retry events within the jittered bounds', async () => {
    await api.defineWorkflow('FLAKY', [{ id: 'flaky', agent: 'test-flaky' }]);
    const { workflowId, finished } = await run('FLAKY');
    expect(await finished).toMatchObject({
      status: WorkflowStatus.Completed,
      result: { flaky: { succeededOnAttempt: 3 } },
    });
    const retries = client
      .of(workflowId)
      .filter(
        (event): event is LogEvent =>
          event.type === WorkflowEventType.Log && /retry \d in/.test(event.message),
      );
    expect(retries).toHaveLength(2);
    // test-flaky: initial delay 100 ms, base 2, jitter 0.5-1.5 → [50, 150] then [100, 300].
    const delays = retries.map((event) => Number(event.metadata.retryDelayMs));
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]).toBeLessThanOrEqual(150);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
    expect(delays[1]).toBeLessThanOrEqual(300);
    const attempts = await executions(workflowId, 'flaky');
    expect(attempts.map((attempt) => attempt.attempt)).toEqual([1, 2, 3]);
    expect(attempts[1].startedAt - attempts[0].finishedAt).toBeGreaterThanOrEqual(delays[0] - 5);
    expect(attempts[2].startedAt - attempts[1].finishedAt).toBeGreaterThanOrEqual(delays[1] - 5);
    expect((await state(workflowId)).metrics).toMatchObject({ retryCount: 2, errorCount: 2 });
  });

  it('does not retry a validation error: the workflow fails at once with the message', async () => {
    await api.defineWorkflow('INVALID', [{ id: 'check', agent: 'test-invalid' }]);
    const { workflowId, finished } = await run('INVALID');
    expect(await finished).toMatchObject({
      type: WorkflowEventType.Error,
      status: WorkflowStatus.Failed,
      stepId: 'check',
      message: 'check: ValidationError: the request names no site',
    });
    expect(await executions(workflowId, 'check')).toHaveLength(1);
    expect((await state(workflowId)).metrics).toMatchObject({ retryCount: 0, errorCount: 1 });
    expect(statuses(client.of(workflowId), 'check')).toEqual([
      AgentLifecycle.Registered,
      AgentLifecycle.Ready,
      AgentLifecycle.Executing,
      AgentLifecycle.Failed,
    ]);
  });

  it('retries a timed-out step once, with a longer time limit', async () => {
    await api.defineWorkflow('SLOW', [{ id: 'slow', agent: 'test-slow' }]);
    const { workflowId, finished } = await run('SLOW');
    expect(await finished).toMatchObject({
      status: WorkflowStatus.Completed,
      result: { slow: { attempt: 2 } },
    });
    const attempts = await executions(workflowId, 'slow');
    expect(attempts.map(({ attempt, isAborted }) => [attempt, isAborted])).toEqual([
      [1, true],
      [2, false],
    ]);
    const retry = client
      .of(workflowId)
      .find(
        (event): event is LogEvent =>
          event.type === WorkflowEventType.Log && /retry 1 in/.test(event.message),
      );
    expect(retry?.message).toContain('TimeoutError: agent test-slow exceeded its 1000 ms time limit');
  });

  it('cancels through the gateway a step running in the orchestrator: its signal fires, nothing after it starts', async () => {
    await api.defineWorkflow('CANCELLABLE', [
      { id: 'wait', agent: 'test-wait' },
      { id: 'after', agent: 'test-echo', dependsOn: ['wait'] },
    ]);
    const { workflowId, finished } = await run('CANCELLABLE');
    await client.next(
      (event) =>
        event.workflowId === workflowId &&
        event.type === WorkflowEventType.AgentStatus &&
        event.lifecycle === AgentLifecycle.Executing,
    );
    const cancelledAt = Date.now();
    const response = await api.post(`/workflows/${workflowId}/cancel`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as WorkflowState).status).toBe(WorkflowStatus.Cancelled);
    expect(await finished).toMatchObject({
      type: WorkflowEventType.Complete,
      status: WorkflowStatus.Cancelled,
    });

    const [aborted] = await waitFor(async () => {
      const records = await executions(workflowId, 'wait');
      return records.length > 0 ? records : undefined;
    }, 'the running step to see its signal');
    expect(aborted.isAborted).toBe(true);
    expect(aborted.finishedAt - cancelledAt).toBeLessThan(5000);
    expect(await executions(workflowId, 'after')).toEqual([]);
    expect(statuses(client.of(workflowId), 'after')).toEqual([AgentLifecycle.Registered]);

    expect((await api.post(`/workflows/${workflowId}/cancel`)).status).toBe(409);
    expect((await api.post('/workflows/7f1b5a0e-2b1c-4c3d-9e8f-0a1b2c3d4e5f/cancel')).status).toBe(404);
  });

  it('returns the same workflow for a repeated Idempotency-Key, a new one for another key', async () => {
    const body = { type: 'DIAMOND', input: {}, sessionId: 'idem' };
    const first = await api.startWorkflow(body, { 'idempotency-key': 'order-42' });
    const again = await api.startWorkflow(body, { 'idempotency-key': 'order-42' });
    const other = await api.startWorkflow(body, { 'idempotency-key': 'order-43' });
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect((await api.post('/workflows', body, { 'idempotency-key': 'bad key with spaces' })).status).toBe(
      400,
    );
  });

  it('retries a workflow failed at a late step from that step: earlier steps do not run again', async () => {
    await api.defineWorkflow('GATED', [
      { id: 'first', agent: 'test-echo' },
      { id: 'second', agent: 'test-echo', dependsOn: ['first'] },
      { id: 'gate', agent: 'test-gate', dependsOn: ['second'] },
    ]);
    const { workflowId, finished } = await run('GATED');
    expect(await finished).toMatchObject({ status: WorkflowStatus.Failed, stepId: 'gate' });
    // Listed from the projection, a batch behind the store.
    await waitFor(async () => {
      const failed = await api.json<WorkflowPage>('/workflows?status=FAILED&limit=100');
      return failed.items.find((item) => item.workflowId === workflowId);
    }, 'the workflow listed as FAILED');

    await redis.set(`${namespace.redisPrefix}:test:gate:${workflowId}`, '1');
    const resumed = client.next(
      (event) => event.workflowId === workflowId && event.type === WorkflowEventType.Complete,
    );
    const response = await api.post(`/workflows/${workflowId}/retry`);
    expect(response.status).toBe(202);
    expect(await resumed).toMatchObject({
      status: WorkflowStatus.Completed,
      result: { gate: { passed: true } },
    });
    expect(await executions(workflowId, 'first')).toHaveLength(1);
    expect(await executions(workflowId, 'second')).toHaveLength(1);
    expect(await executions(workflowId, 'gate')).toHaveLength(2);
    expect((await api.post(`/workflows/${workflowId}/retry`)).status).toBe(409);
  });

  it('retries a workflow whose failed step ran from its own queue job (a root step), with fresh retries', async () => {
    await api.defineWorkflow('GATED_ROOT', [
      { id: 'gate', agent: 'test-gate' },
      { id: 'after', agent: 'test-echo', dependsOn: ['gate'] },
    ]);
    const { workflowId, finished } = await run('GATED_ROOT');
    expect(await finished).toMatchObject({ status: WorkflowStatus.Failed, stepId: 'gate' });
    await redis.set(`${namespace.redisPrefix}:test:gate:${workflowId}`, '1');
    const resumed = client.next(
      (event) => event.workflowId === workflowId && event.type === WorkflowEventType.Complete,
    );
    expect((await api.post(`/workflows/${workflowId}/retry`)).status).toBe(202);
    expect(await resumed).toMatchObject({ status: WorkflowStatus.Completed });
    // The resumed attempt is a new attempt number, so a new queue job: it ran.
    expect((await executions(workflowId, 'gate')).map((run) => run.attempt)).toEqual([1, 2]);
  });

  it("ends a socket's subscription once its workflow completes: a connection that runs workflow after workflow holds none of the ended ones", async () => {
    const followed = async () => {
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      return Number(/^socket_workflow_subscriptions(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1]);
    };
    const before = await followed();
    const driver = new WorkflowClient(gateway.url);
    await driver.connected();
    try {
      for (let index = 0; index < 3; index++) {
        const workflowId = await api.startWorkflow({ type: 'DIAMOND', input: {}, sessionId: 'engine' });
        await driver.socket.emitWithAck('workflow.subscribe', { workflowId });
        expect(await driver.finished(workflowId)).toMatchObject({ status: WorkflowStatus.Completed });
      }
      expect(driver.socket.connected).toBe(true);
      // Other tests' FAILED workflows stay followed (a retry resumes them); none of these three is.
      expect(await followed()).toBeLessThanOrEqual(before);
      // Following an ended workflow again replays it whole, then ends that subscription too.
      const [first] = driver.events;
      const replayed = new WorkflowClient(gateway.url);
      await replayed.connected();
      await replayed.socket.emitWithAck('workflow.subscribe', { workflowId: first.workflowId });
      expect(await replayed.finished(first.workflowId)).toMatchObject({ status: WorkflowStatus.Completed });
      expect(await followed()).toBeLessThanOrEqual(before);
      replayed.close();
    } finally {
      driver.close();
    }
  });

  it('passes a large output by reference: state, events and queue payloads stay small, the next step gets it whole', async () => {
    await api.defineWorkflow('LARGE', [
      { id: 'large', agent: 'test-large' },
      { id: 'measure', agent: 'test-measure', dependsOn: ['large'] },
    ]);
    const { workflowId, finished } = await run('LARGE', { bytes: 1_000_000 });
    expect(await finished).toMatchObject({
      status: WorkflowStatus.Completed,
      result: { measure: { sizes: { large: 1_000_000 } } },
    });
    const events = await api.json<WorkflowEvent[]>(`/workflows/${workflowId}/events?after=0`);
    expect(Math.max(...events.map((event) => JSON.stringify(event).length))).toBeLessThan(5_000);
    expect(JSON.stringify(await state(workflowId)).length).toBeLessThan(10_000);
    const full = await api.json<{ output: { blob: string } }>(`/workflows/${workflowId}/outputs/large`);
    expect(full.output.blob).toHaveLength(1_000_000);
    expect((await api.get(`/workflows/${workflowId}/outputs/nope`)).status).toBe(404);
  });

  it('keeps workflow metrics: durations per agent, errors, retries', async () => {
    const { workflowId, finished } = await run('DIAMOND', { sleepMs: { a: 50 } });
    await finished;
    const { metrics } = await state(workflowId);
    expect(Object.keys(metrics.agentDurationsMs).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(metrics.agentDurationsMs.a).toBeGreaterThanOrEqual(50);
    expect(metrics.totalDurationMs).toBeGreaterThanOrEqual(metrics.agentDurationsMs.a);
    expect(metrics).toMatchObject({ errorCount: 0, retryCount: 0, llmCalls: 0, llmTokens: 0 });
  });
});

import {
  AgentLifecycle,
  AgentStatusEvent,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowState,
  WorkflowStatus,
  agentStepsQueue,
} from '@app/contracts';
import { Queue } from 'bullmq';
import { RedisClient } from '@app/redis';
import { workflowDefinitionsKey } from '../apps/gateway/src/workflows/workflow-definitions.service';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { ExecutionRecord, executionsOf } from './support/test-agents';
import { TEST_ADMIN_KEY, connectTestRedis, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';

/**
 * Fan-out steps through the real services: a gateway, TWO orchestrator processes serving the
 * test agents (10 steps of an agent at once each), and the metrics service. plan returns the work
 * items, pages runs one sub-step per item, join receives their outputs.
 */
describe('fan-out steps', () => {
  const namespace = new TestNamespace();
  let apps: AppProcess[] = [];
  let api: ApiClient;
  let client: WorkflowClient;
  let redis: RedisClient;
  let itemQueues: Queue[] = [];

  const run = async (input: Record<string, unknown>) => {
    const workflowId = await api.startWorkflow({ type: 'FAN_OUT', input, sessionId: 'fan-out' });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    return { workflowId, finished: client.finished(workflowId, 120_000) };
  };
  const executions = (workflowId: string, stepId: string) =>
    executionsOf(redis, namespace.redisPrefix, workflowId, stepId);
  /** The agent_status events of the sub-steps of `pages`. */
  const itemEvents = (events: WorkflowEvent[]) =>
    events.filter(
      (event): event is AgentStatusEvent =>
        event.type === WorkflowEventType.AgentStatus && event.stepId === 'pages' && event.item !== undefined,
    );
  /** Resolves once no sub-step job waits or runs. */
  const queueDrained = () =>
    waitFor(async () => {
      const counts = await Promise.all(
        itemQueues.map((queue) => queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')),
      );
      return counts.every((each) => Object.values(each).every((count) => count === 0)) ? true : undefined;
    }, 'the sub-steps queue to drain');
  const define = (steps: unknown[]) =>
    api.post('/workflow-definitions', { type: 'FAN_OUT', description: 'fan-out test', steps });

  beforeAll(async () => {
    await namespace.prepare();
    redis = connectTestRedis();
    const env = namespace.env({
      AGENT_MODULES: 'test/support/test-agents.ts',
      STEP_CONCURRENCY: '10',
      FAN_OUT_MAX_ITEMS: '200',
    });
    apps = await AppProcess.startAll(['gateway', 'orchestrator', 'orchestrator', 'metrics'], env);
    api = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    client = new WorkflowClient(apps[0].url);
    await client.connected();
    // Every partition of the sub-steps' queue (the cluster run splits step queues).
    itemQueues = namespace
      .stepQueueOptions(agentStepsQueue('test-item', 1))
      .map((options) => new Queue(agentStepsQueue('test-item', 1), options));
    const response = await define([
      { id: 'plan', agent: 'test-items', dependsOn: [] },
      {
        id: 'pages',
        agent: 'test-item',
        dependsOn: ['plan'],
        forEach: { from: 'plan', path: 'items', maxItems: 100 },
      },
      { id: 'join', agent: 'test-join', dependsOn: ['pages'] },
    ]);
    expect(response.status).toBe(201);
  });

  afterAll(async () => {
    client?.close();
    await Promise.all(itemQueues.map((queue) => queue.close()));
    await Promise.all(apps.map((app) => app.stop()));
    await redis?.quit();
    await namespace.dispose();
  });

  it('refuses a fan-out over a step it does not depend on, or above FAN_OUT_MAX_ITEMS, with 400', async () => {
    const wrongFrom = await api.post('/workflow-definitions', {
      type: 'BROKEN_FAN_OUT',
      description: 'x',
      steps: [
        { id: 'plan', agent: 'test-items', dependsOn: [] },
        { id: 'pages', agent: 'test-item', dependsOn: [], forEach: { from: 'plan' } },
      ],
    });
    expect(wrongFrom.status).toBe(400);
    expect(((await wrongFrom.json()) as { message: string }).message).toContain(
      'step "pages" takes its work items from "plan", which is not one of its dependencies',
    );
    const tooMany = await api.post('/workflow-definitions', {
      type: 'BROKEN_FAN_OUT',
      description: 'x',
      steps: [
        { id: 'plan', agent: 'test-items', dependsOn: [] },
        { id: 'pages', agent: 'test-item', dependsOn: ['plan'], forEach: { from: 'plan', maxItems: 500 } },
      ],
    });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { message: string }).message).toContain(
      'forEach.maxItems must be an integer from 1 to 200 (FAN_OUT_MAX_ITEMS)',
    );
  });

  it("runs a definition stored under a higher FAN_OUT_MAX_ITEMS with today's cap: it starts, and more items than the cap fail the step", async () => {
    // As a gateway configured with FAN_OUT_MAX_ITEMS=1000 registered it, before the cap came down to 200.
    await redis.hset(
      workflowDefinitionsKey(namespace.redisPrefix),
      'FAN_OUT_UNDER_OLD_CAP',
      JSON.stringify({
        definition: {
          type: 'FAN_OUT_UNDER_OLD_CAP',
          description: 'registered when the cap was 1000',
          steps: [
            { id: 'plan', agent: 'test-items', dependsOn: [] },
            {
              id: 'pages',
              agent: 'test-item',
              dependsOn: ['plan'],
              forEach: { from: 'plan', path: 'items', maxItems: 500 },
            },
          ],
        },
      }),
    );
    const workflowId = await api.startWorkflow({
      type: 'FAN_OUT_UNDER_OLD_CAP',
      input: { count: 300 },
      sessionId: 'cap',
    });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    expect(await client.finished(workflowId, 60_000)).toMatchObject({
      type: WorkflowEventType.Error,
      status: WorkflowStatus.Failed,
      message: expect.stringContaining('got 300 work items at plan.items, more than its maximum of 200'),
    });
  });

  it('runs 50 items in parallel across both orchestrators and joins once, with the 50 outputs in item order', async () => {
    const { workflowId, finished } = await run({ count: 50, itemSleepMs: 300 });
    expect(await finished).toMatchObject({
      type: WorkflowEventType.Complete,
      status: WorkflowStatus.Completed,
    });

    const runs = await executions(workflowId, 'pages');
    expect(runs).toHaveLength(50);
    expect(runs.map((record) => record.item).sort((a, b) => a! - b!)).toEqual([...Array(50).keys()]);
    // Both processes ran sub-steps, and sub-steps ran at the same time.
    expect(new Set(runs.map((record) => record.pid)).size).toBe(2);
    expect(maxOverlap(runs)).toBeGreaterThanOrEqual(10);

    const joins = await executions(workflowId, 'join');
    expect(joins).toHaveLength(1);
    expect(joins[0].startedAt).toBeGreaterThanOrEqual(Math.max(...runs.map((record) => record.finishedAt)));
    const state = await api.json<WorkflowState>(`/workflows/${workflowId}`);
    expect(state.result).toEqual({ join: { indexes: { pages: [...Array(50).keys()] } } });

    // Each sub-step's own events carry its item: READY, EXECUTING, COMPLETED for every index.
    const events = itemEvents(client.of(workflowId));
    for (let index = 0; index < 50; index++) {
      expect(events.filter((event) => event.item === index).map((event) => event.lifecycle)).toEqual([
        AgentLifecycle.Ready,
        AgentLifecycle.Executing,
        AgentLifecycle.Completed,
      ]);
    }
    // Each sub-step's execution is recorded in PostgreSQL under its own step id.
    const recorded = await waitFor(async () => {
      const rows = await namespace.query<{ step_id: string; outcome: string }>(
        "SELECT step_id, outcome FROM agent_executions WHERE workflow_id = $1 AND agent = 'test-item'",
        [workflowId],
      );
      return rows.length >= 50 ? rows : undefined;
    }, 'the sub-steps’ execution records in PostgreSQL');
    expect(recorded.map((row) => row.step_id).sort()).toEqual(
      [...Array(50).keys()].map((index) => `pages#${index}`).sort(),
    );
    expect(recorded.every((row) => row.outcome === 'success')).toBe(true);
    const joinReady = client
      .of(workflowId)
      .filter(
        (event) =>
          event.type === WorkflowEventType.AgentStatus &&
          event.stepId === 'join' &&
          event.lifecycle === AgentLifecycle.Ready,
      );
    expect(joinReady).toHaveLength(1);
  });

  it('joins an empty list when there are no items, and fails the step with a validation error above its maximum', async () => {
    const empty = await run({ count: 0 });
    expect(await empty.finished).toMatchObject({
      status: WorkflowStatus.Completed,
      result: { join: { indexes: { pages: [] } } },
    });
    expect(await executions(empty.workflowId, 'pages')).toEqual([]);

    const tooMany = await run({ count: 101 });
    expect(await tooMany.finished).toMatchObject({
      type: WorkflowEventType.Error,
      status: WorkflowStatus.Failed,
      stepId: 'pages',
      message:
        'pages: ValidationError: step pages got 101 work items at plan.items, more than its maximum of 100',
    });
    expect(await executions(tooMany.workflowId, 'pages')).toEqual([]);
    expect(await executions(tooMany.workflowId, 'join')).toEqual([]);
  });

  it('fails the step and the workflow when a sub-step fails; a retry runs only the sub-steps that did not complete', async () => {
    const { workflowId, finished } = await run({ count: 6, failItems: [2, 4] });
    expect(await finished).toMatchObject({ type: WorkflowEventType.Error, status: WorkflowStatus.Failed });
    const failed = await api.json<WorkflowState>(`/workflows/${workflowId}`);
    expect(failed.error).toMatch(/^pages#[24]: ValidationError: item [24] is refused$/);
    const pages = failed.steps.find((step) => step.stepId === 'pages');
    expect(pages?.lifecycle).toBe(AgentLifecycle.Failed);
    // Siblings still running when it failed may finish, but their completion is refused.
    const completed = (pages?.subSteps ?? [])
      .filter((sub) => sub.lifecycle === AgentLifecycle.Completed)
      .map((sub) => sub.item);
    expect(completed).not.toContain(2);
    expect(completed).not.toContain(4);
    // Every sub-step job is taken (a sibling not begun before the failure never runs): then the
    // runs so far are final.
    await queueDrained();
    const before = await executions(workflowId, 'pages');

    await redis.set(`${namespace.redisPrefix}:test:gate:${workflowId}`, '1');
    const resumed = client.next(
      (event) => event.workflowId === workflowId && event.type === WorkflowEventType.Complete,
    );
    expect((await api.post(`/workflows/${workflowId}/retry`)).status).toBe(202);
    expect(await resumed).toMatchObject({
      status: WorkflowStatus.Completed,
      result: { join: { indexes: { pages: [0, 1, 2, 3, 4, 5] } } },
    });
    const runs = await executions(workflowId, 'pages');
    const runsOf = (records: ExecutionRecord[], index: number) =>
      records.filter((record) => record.item === index).length;
    for (let index = 0; index < 6; index++) {
      expect([index, runsOf(runs, index)]).toEqual([
        index,
        runsOf(before, index) + (completed.includes(index) ? 0 : 1),
      ]);
    }
    expect([runsOf(runs, 2), runsOf(runs, 4)]).toEqual([runsOf(before, 2) + 1, runsOf(before, 4) + 1]);
    expect(await executions(workflowId, 'join')).toHaveLength(1);
  });

  it('stops every running sub-step when the workflow is cancelled, and starts none of those still queued', async () => {
    // 30 items, 20 slots across the two processes: 20 run until cancelled, 10 wait in the queue.
    const { workflowId, finished } = await run({ count: 30, itemSleepMs: 60_000 });
    await waitFor(
      async () =>
        itemEvents(client.of(workflowId)).filter((event) => event.lifecycle === AgentLifecycle.Executing)
          .length >= 20
          ? true
          : undefined,
      'twenty sub-steps running',
      60_000,
    );
    const cancelledAt = Date.now();
    expect((await api.post(`/workflows/${workflowId}/cancel`)).status).toBe(200);
    expect(await finished).toMatchObject({
      type: WorkflowEventType.Complete,
      status: WorkflowStatus.Cancelled,
    });

    const stopped = await waitFor(async () => {
      const records = await executions(workflowId, 'pages');
      return records.length >= 20 ? records : undefined;
    }, 'the running sub-steps to see their signals');
    expect(stopped.every((record) => record.isAborted)).toBe(true);
    expect(Math.max(...stopped.map((record) => record.finishedAt)) - cancelledAt).toBeLessThan(5000);
    expect(new Set(stopped.map((record) => record.pid)).size).toBe(2);

    // The queued sub-steps' jobs are taken and refused: the queue drains and no agent ran them.
    await queueDrained();
    expect(await executions(workflowId, 'pages')).toHaveLength(20);
    expect(await executions(workflowId, 'join')).toEqual([]);
    const started = itemEvents(client.of(workflowId)).filter(
      (event) => event.lifecycle === AgentLifecycle.Executing,
    );
    expect(started).toHaveLength(20);
  });
});

/** The most executions running at one moment. */
function maxOverlap(records: ExecutionRecord[]): number {
  const edges = records.flatMap((record) => [
    { at: record.startedAt, change: 1 },
    { at: record.finishedAt, change: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.change - b.change);
  let running = 0;
  let most = 0;
  for (const edge of edges) {
    running += edge.change;
    most = Math.max(most, running);
  }
  return most;
}

import { randomUUID } from 'node:crypto';
import {
  FAN_OUT_ITEMS_CEILING,
  AgentLifecycle,
  AgentStatusEvent,
  WorkflowEventType,
  WorkflowStatus,
} from '@app/contracts';
import Redis from 'ioredis';
import { fanOutItems } from './fan-out';
import { compileWorkflowGraph, pinWorkflowGraph } from './workflow-graph';
import { WorkflowMeta } from './workflow-records';
import { WorkflowStore } from './workflow-store';
import { useTestStore } from './testing/test-store';
import { StepExecution } from './workflow-transition-results';

/** plan → pages (one sub-step per item of plan.pages) → join. */
const fanOutGraph = pinWorkflowGraph(
  compileWorkflowGraph(
    {
      type: 'FAN_OUT',
      description: '',
      steps: [
        { id: 'plan', agent: 'planner', dependsOn: [] },
        {
          id: 'pages',
          agent: 'writer',
          dependsOn: ['plan'],
          forEach: { from: 'plan', path: 'pages', maxItems: 5 },
        },
        { id: 'join', agent: 'joiner', dependsOn: ['pages'] },
      ],
    },
    () => null,
  ),
  () => 1,
);

describe('WorkflowStore fan-out steps (real Redis)', () => {
  // Outputs over 1 kB go by reference, to show a join gets them whole.
  const testing = useTestStore({ largeOutputBytes: 1024 });
  const { published, cancellations } = testing;
  let redis: Redis;
  let store: WorkflowStore;

  beforeAll(() => ({ redis, store } = testing));

  const create = async () =>
    (
      await store.create(
        {
          workflowId: randomUUID(),
          type: 'FAN_OUT',
          tenantId: 't1',
          sessionId: 's1',
          input: {},
          preferences: {},
        } satisfies WorkflowMeta,
        fanOutGraph,
      )
    ).workflowId;

  async function begin(workflowId: string, stepId: string, attempt = 1): Promise<StepExecution> {
    const begun = await store.beginStep(workflowId, stepId, attempt);
    if (begun.outcome !== 'run') throw new Error(`expected to run ${stepId}, got ${begun.outcome}`);
    return begun;
  }

  const complete = (workflowId: string, execution: StepExecution, output: unknown) =>
    store.completeStep({
      workflowId,
      graphId: execution.graphId,
      stepId: execution.stepId,
      runToken: execution.runToken,
      output,
      durationMs: 10,
      llmCalls: 0,
      llmTokens: 0,
    });

  /** Runs plan with `pages` as its items and fans pages out; returns the sub-steps to queue. */
  async function fanOut(workflowId: string, pages: unknown[]) {
    const plan = await begin(workflowId, 'plan');
    await complete(workflowId, plan, { pages });
    const parent = await begin(workflowId, 'pages');
    expect(parent.fanOut).toEqual({ from: 'plan', path: ['pages'], maxItems: 5 });
    const found = fanOutItems('pages', parent.fanOut!, parent.dependencies);
    if (!('items' in found)) throw new Error(found.problem);
    const result = await store.fanOut({
      workflowId,
      graphId: parent.graphId,
      stepId: 'pages',
      runToken: parent.runToken,
      items: found.items,
    });
    if (result.outcome !== 'fanned-out') throw new Error(`expected to fan out, got ${result.outcome}`);
    return { parent, readySteps: result.readySteps };
  }

  const statusEvents = (workflowId: string, stepId: string) =>
    published.filter(
      (event): event is AgentStatusEvent =>
        event.workflowId === workflowId &&
        event.type === WorkflowEventType.AgentStatus &&
        event.stepId === stepId,
    );

  it('readies one sub-step per item once the producing step completes, each with its item and the step’s dependencies, on the step’s queue', async () => {
    const workflowId = await create();
    const { readySteps } = await fanOut(workflowId, ['home', 'about', 'contact']);
    expect(readySteps).toEqual(
      [0, 1, 2].map((index) => ({ stepId: `pages#${index}`, attempt: 1, queue: 'steps.writer@1' })),
    );
    const child = await begin(workflowId, 'pages#1');
    expect(child.item).toEqual({ index: 1, value: 'about' });
    expect(child.dependencies).toEqual({ plan: { pages: ['home', 'about', 'contact'] } });
    expect(child.fanOut).toBeUndefined();
    // The state shows the sub-steps under their step, and recovery finds those still READY.
    const pages = (await store.get(workflowId))?.steps.find((step) => step.stepId === 'pages');
    expect(pages?.lifecycle).toBe(AgentLifecycle.Executing);
    expect(pages?.subSteps?.map(({ item, lifecycle, attempts }) => [item, lifecycle, attempts])).toEqual([
      [0, AgentLifecycle.Ready, 0],
      [1, AgentLifecycle.Executing, 1],
      [2, AgentLifecycle.Ready, 0],
    ]);
    const idle = await store.findIdleUnfinished({ idleMs: 0, limit: 1000 });
    expect(
      idle.find((found) => found.workflowId === workflowId)?.readySteps.map((step) => step.stepId),
    ).toEqual(['pages#0', 'pages#2']);
    // Its events name the fan-out step and the item, so a dashboard can draw it under the step.
    await eventsOf(workflowId);
    expect(
      statusEvents(workflowId, 'pages')
        .filter((event) => event.item === 1)
        .map((event) => event.lifecycle),
    ).toEqual([AgentLifecycle.Ready, AgentLifecycle.Executing]);
    // The workflow's hash holds its sub-steps: no key per item.
    expect((await redis.keys(`${store.keys.workflow(workflowId)}*`)).sort()).toEqual([
      store.keys.workflow(workflowId),
      store.keys.events(workflowId),
    ]);
  });

  it('runs the join once, after the last sub-step, with every output in item order (large ones whole)', async () => {
    const workflowId = await create();
    await fanOut(workflowId, [0, 1, 2, 3]);
    const large = 'x'.repeat(5000);
    // They complete out of order; only the last readies the join.
    for (const index of [2, 0, 3]) {
      const child = await begin(workflowId, `pages#${index}`);
      const result = await complete(workflowId, child, {
        index,
        text: index === 0 ? large : `page ${index}`,
      });
      expect(result).toMatchObject({ outcome: 'advanced', status: WorkflowStatus.Running, readySteps: [] });
    }
    expect((await store.get(workflowId))?.steps.find((step) => step.stepId === 'pages')?.lifecycle).toBe(
      AgentLifecycle.Executing,
    );
    const last = await begin(workflowId, 'pages#1');
    const joined = await complete(workflowId, last, { index: 1, text: 'page 1' });
    expect(joined).toMatchObject({ outcome: 'advanced', readySteps: [{ stepId: 'join', attempt: 1 }] });

    const join = await begin(workflowId, 'join');
    const outputs = join.dependencies.pages as { index: number; text: string }[];
    expect(outputs.map((output) => output.index)).toEqual([0, 1, 2, 3]);
    expect(outputs[0].text).toHaveLength(5000);
    expect(await store.output(workflowId, 'pages')).toEqual(outputs);
    const done = await complete(workflowId, join, { pages: outputs.length });
    expect(done).toMatchObject({ outcome: 'advanced', status: WorkflowStatus.Completed });

    await eventsOf(workflowId);
    expect(
      statusEvents(workflowId, 'join').filter((event) => event.lifecycle === AgentLifecycle.Ready),
    ).toHaveLength(1);
    const state = await store.get(workflowId);
    expect(state).toMatchObject({ status: WorkflowStatus.Completed, completedSteps: 3, totalSteps: 3 });
    // The fan-out step's time is its sub-steps' time.
    expect(state?.metrics.agentDurationsMs.pages).toBe(40);
  });

  it('completes a fan-out of zero items with an empty list, and the join still runs', async () => {
    const workflowId = await create();
    const plan = await begin(workflowId, 'plan');
    await complete(workflowId, plan, { pages: [] });
    const parent = await begin(workflowId, 'pages');
    expect(fanOutItems('pages', parent.fanOut!, parent.dependencies)).toEqual({ items: [] });
    // What the worker does with no items: the step completes with an empty list.
    expect(await complete(workflowId, parent, [])).toMatchObject({ readySteps: [{ stepId: 'join' }] });
    expect((await begin(workflowId, 'join')).dependencies.pages).toEqual([]);
  });

  it('bounds the items: more than the step allows, or no list at all, is a validation error naming them', async () => {
    const spec = fanOutGraph.fanOut!.pages;
    expect(fanOutItems('pages', spec, { plan: { pages: [1, 2, 3, 4, 5, 6] } })).toEqual({
      problem: 'step pages got 6 work items at plan.pages, more than its maximum of 5',
    });
    expect(fanOutItems('pages', spec, { plan: { pages: 'home' } })).toEqual({
      problem: 'step pages expects a list of work items at plan.pages, found a string',
    });
    expect(fanOutItems('pages', spec, { plan: {} })).toEqual({
      problem: 'step pages expects a list of work items at plan.pages, found nothing',
    });
  });

  it('fails the fan-out step and the workflow when a sub-step fails for good; resuming runs only the sub-steps that did not complete', async () => {
    const workflowId = await create();
    await fanOut(workflowId, ['a', 'b', 'c']);
    await complete(workflowId, await begin(workflowId, 'pages#0'), 'A');
    const running = await begin(workflowId, 'pages#2');
    const failing = await begin(workflowId, 'pages#1');
    expect(
      await store.failStep({
        workflowId,
        stepId: 'pages#1',
        runToken: failing.runToken,
        error: 'ValidationError: no',
        durationMs: 1,
        retryDelayMs: null,
      }),
    ).toEqual({ outcome: 'failed' });
    const state = await store.get(workflowId);
    expect(state).toMatchObject({ status: WorkflowStatus.Failed, error: 'pages#1: ValidationError: no' });
    expect(state?.steps.find((step) => step.stepId === 'pages')).toMatchObject({
      lifecycle: AgentLifecycle.Failed,
      error: 'pages#1: ValidationError: no',
    });
    // The sibling still running finds the workflow failed.
    expect(await complete(workflowId, running, 'C')).toEqual({
      outcome: 'inactive',
      status: WorkflowStatus.Failed,
    });

    const resumed = await store.resume(workflowId);
    expect(resumed).toEqual({
      outcome: 'resumed',
      readySteps: [
        { stepId: 'pages#1', attempt: 2, queue: 'steps.writer@1' },
        { stepId: 'pages#2', attempt: 2, queue: 'steps.writer@1' },
      ],
    });
    for (const index of [1, 2])
      await complete(workflowId, await begin(workflowId, `pages#${index}`, 2), `${index}!`);
    expect((await begin(workflowId, 'join')).dependencies.pages).toEqual(['A', '1!', '2!']);
  });

  it('cancels a fan-out: every worker hears it, no further sub-step begins and none completes', async () => {
    const workflowId = await create();
    await fanOut(workflowId, ['a', 'b', 'c']);
    const running = await begin(workflowId, 'pages#0');
    expect(await store.cancel(workflowId)).toEqual({ outcome: 'cancelled' });
    await waitFor(() => cancellations.includes(workflowId));
    expect(await store.beginStep(workflowId, 'pages#1', 1)).toEqual({
      outcome: 'inactive',
      status: WorkflowStatus.Cancelled,
    });
    expect(await complete(workflowId, running, 'A')).toEqual({
      outcome: 'inactive',
      status: WorkflowStatus.Cancelled,
    });
    expect((await store.get(workflowId))?.status).toBe(WorkflowStatus.Cancelled);
  });

  it('parks the sub-steps whose jobs arrive while the workflow is paused, and queues them again when it resumes', async () => {
    const workflowId = await create();
    await fanOut(workflowId, ['a', 'b']);
    const running = await begin(workflowId, 'pages#0');
    expect(await store.pause(workflowId, 'paused by test')).toEqual({ outcome: 'paused' });
    expect(await store.beginStep(workflowId, 'pages#1', 1)).toEqual({
      outcome: 'inactive',
      status: WorkflowStatus.Paused,
    });
    // The running sub-step finishes; the parked one waits for the resume, as a next attempt.
    await complete(workflowId, running, 'A');
    const unpaused = await store.unpause(workflowId, 'resumed by test');
    expect(unpaused).toMatchObject({
      outcome: 'unpaused',
      status: WorkflowStatus.Running,
      readySteps: [{ stepId: 'pages#1', attempt: 2, queue: 'steps.writer@1' }],
    });
    await complete(workflowId, await begin(workflowId, 'pages#1', 2), 'B');
    expect((await begin(workflowId, 'join')).dependencies.pages).toEqual(['A', 'B']);
  });

  it(`fans out, joins and resumes as many items as FAN_OUT_ITEMS_CEILING (${FAN_OUT_ITEMS_CEILING}) in single calls`, async () => {
    const graph = pinWorkflowGraph(
      compileWorkflowGraph(
        {
          type: 'WIDE',
          description: '',
          steps: [
            { id: 'plan', agent: 'planner', dependsOn: [] },
            { id: 'pages', agent: 'writer', dependsOn: ['plan'], forEach: { from: 'plan' } },
            { id: 'join', agent: 'joiner', dependsOn: ['pages'] },
          ],
        },
        () => null,
        FAN_OUT_ITEMS_CEILING,
      ),
      () => 1,
    );
    const meta = {
      workflowId: randomUUID(),
      type: 'WIDE',
      tenantId: 't1',
      sessionId: 's1',
      input: {},
      preferences: {},
    };
    const { workflowId } = await store.create(meta, graph);
    const items = Array.from({ length: FAN_OUT_ITEMS_CEILING }, (_, index) => index);
    await complete(workflowId, await begin(workflowId, 'plan'), items);
    const parent = await begin(workflowId, 'pages');
    const found = fanOutItems('pages', parent.fanOut!, parent.dependencies);
    expect(found).toEqual({ items });
    const fanned = await store.fanOut({
      workflowId,
      graphId: parent.graphId,
      stepId: 'pages',
      runToken: parent.runToken,
      items,
    });
    expect(fanned.outcome === 'fanned-out' && fanned.readySteps.length).toBe(FAN_OUT_ITEMS_CEILING);
    // One fails for good: resuming readies every sub-step that did not complete, in one answer.
    const failing = await begin(workflowId, 'pages#0');
    await store.failStep({
      workflowId,
      stepId: 'pages#0',
      runToken: failing.runToken,
      error: 'no',
      durationMs: 1,
      retryDelayMs: null,
    });
    const resumed = await store.resume(workflowId);
    expect(resumed.outcome === 'resumed' && resumed.readySteps.length).toBe(FAN_OUT_ITEMS_CEILING);
    for (const index of items) {
      await complete(workflowId, await begin(workflowId, `pages#${index}`, index === 0 ? 2 : 1), index * 2);
    }
    expect((await begin(workflowId, 'join')).dependencies.pages).toEqual(items.map((index) => index * 2));
  }, 60_000);

  it('hands a fan-out job delivered again the sub-steps still READY, without fanning out twice', async () => {
    const workflowId = await create();
    await fanOut(workflowId, ['a', 'b']);
    await begin(workflowId, 'pages#0');
    // The worker died before acknowledging the fan-out step's job: it is delivered again.
    const again = await begin(workflowId, 'pages', 1);
    expect(
      await store.fanOut({
        workflowId,
        graphId: again.graphId,
        stepId: 'pages',
        runToken: again.runToken,
        items: ['z'],
      }),
    ).toEqual({
      outcome: 'fanned-out',
      readySteps: [{ stepId: 'pages#1', attempt: 1, queue: 'steps.writer@1' }],
    });
    expect((await begin(workflowId, 'pages#1')).item).toEqual({ index: 1, value: 'b' });
  });

  /** Published events arrive on another connection: waits until the workflow's last one is in. */
  async function eventsOf(workflowId: string): Promise<void> {
    const last = (await store.get(workflowId))?.lastEventId;
    await waitFor(() => published.some((event) => event.workflowId === workflowId && event.eventId === last));
  }

  async function waitFor(condition: () => boolean): Promise<void> {
    for (let tries = 0; tries < 100 && !condition(); tries++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(condition()).toBe(true);
  }
});

import { randomUUID } from 'node:crypto';
import { AgentLifecycle, WorkflowEventType, WorkflowStatus } from '@app/contracts';
import Redis from 'ioredis';
import { DIAMOND_GRAPH } from './testing/diamond-graph';
import { WorkflowMeta } from './workflow-records';
import { WorkflowStore } from './workflow-store';
import { useTestStore } from './testing/test-store';

const diamond = DIAMOND_GRAPH;

describe('WorkflowStore.replay (real Redis)', () => {
  // Outputs over 100 bytes are stored by reference, so the copy of a reference is covered too.
  const testing = useTestStore({ largeOutputBytes: 100 });
  const { published } = testing;
  let redis: Redis;
  let store: WorkflowStore;

  const meta = (): WorkflowMeta => testing.meta('DIAMOND', { input: { topic: 'first' } });

  beforeAll(() => ({ redis, store } = testing));

  async function runStep(workflowId: string, stepId: string, output: unknown) {
    const begun = await store.beginStep(workflowId, stepId, 1);
    if (begun.outcome !== 'run') throw new Error(`expected to run ${stepId}, got ${begun.outcome}`);
    await store.completeStep({
      workflowId,
      stepId,
      graphId: begun.graphId,
      runToken: begun.runToken,
      output,
      durationMs: 5,
      llmCalls: 1,
      llmTokens: 10,
    });
    return begun;
  }

  async function finishedDiamond(): Promise<string> {
    const { workflowId } = await store.create(meta(), diamond);
    await runStep(workflowId, 'a', { step: 'a', text: 'x'.repeat(200) });
    await runStep(workflowId, 'b', { step: 'b' });
    await runStep(workflowId, 'c', { step: 'c' });
    await runStep(workflowId, 'd', { step: 'd' });
    return workflowId;
  }

  const replayMeta = (workflowId: string, fromStep: string) => ({
    ...meta(),
    workflowId: store.newWorkflowId({ replayOf: workflowId }),
    input: { topic: 'second' },
    replayOf: { workflowId, fromStep },
  });

  it('reuses the outputs of the steps before fromStep, runs fromStep and what follows, and counts only those', async () => {
    const original = await finishedDiamond();
    // a's output is stored by reference: the replay keeps it for as long as the replay may need it.
    const reference = JSON.parse((await redis.hget(store.keys.workflow(original), 'out:a')) as string) as {
      $ref: string;
    };
    const blobKey = store.keys.output(reference.$ref.slice('sha256:'.length), store.keys.shardOf(original));
    await redis.expire(blobKey, 5);
    const replayed = await store.replay(replayMeta(original, 'b'));
    expect(await redis.ttl(blobKey)).toBeGreaterThan(3600);
    expect(replayed).toMatchObject({ outcome: 'created', reusedSteps: ['a', 'c'] });
    if (replayed.outcome !== 'created') return;
    expect(replayed.readySteps.map((step) => step.stepId)).toEqual(['b']);
    const { workflowId } = replayed;

    const state = await store.get(workflowId);
    expect(state).toMatchObject({
      status: WorkflowStatus.Pending,
      replayOf: { workflowId: original, fromStep: 'b' },
      completedSteps: 2,
      input: { topic: 'second' },
    });
    const lifecycles = Object.fromEntries(state!.steps.map((step) => [step.stepId, step.lifecycle]));
    expect(lifecycles).toEqual({
      a: AgentLifecycle.Completed,
      b: AgentLifecycle.Ready,
      c: AgentLifecycle.Completed,
      d: AgentLifecycle.Registered,
    });
    expect(state!.steps.filter((step) => step.isReused).map((step) => step.stepId)).toEqual(['a', 'c']);
    expect(await store.output(workflowId, 'a')).toEqual({ step: 'a', text: 'x'.repeat(200) });

    // b sees a's recorded (large, by reference) output and the replay's input.
    const begun = await runStep(workflowId, 'b', { step: 'b2' });
    expect(begun).toMatchObject({ dependencies: { a: { step: 'a' } }, meta: { input: { topic: 'second' } } });
    const d = await runStep(workflowId, 'd', { step: 'd2' });
    expect(Object.keys(d.dependencies).sort()).toEqual(['a', 'b', 'c']);
    expect(d.dependencies).toMatchObject({ b: { step: 'b2' }, c: { step: 'c' } });

    const finished = await store.get(workflowId);
    expect(finished).toMatchObject({
      status: WorkflowStatus.Completed,
      result: { d: { step: 'd2' } },
      metrics: { llmCalls: 2, llmTokens: 20, agentDurationsMs: { b: 5, d: 5 } },
    });
    const events = await store.eventsAfter(workflowId, 0);
    expect(events.map((event) => event.eventId)).toEqual(events.map((_, index) => index + 1));
    expect(
      events.some(
        (event) =>
          event.type === WorkflowEventType.Log && event.message.includes(`replay of workflow ${original}`),
      ),
    ).toBe(true);
    expect(published.some((event) => event.workflowId === workflowId)).toBe(true);
    // The original is untouched.
    expect(await store.get(original)).toMatchObject({
      status: WorkflowStatus.Completed,
      result: { d: { step: 'd' } },
    });
  });

  it('replays a failed workflow from its failed step', async () => {
    const { workflowId: original } = await store.create(meta(), diamond);
    await runStep(original, 'a', { step: 'a' });
    const begun = await store.beginStep(original, 'b', 1);
    if (begun.outcome !== 'run') throw new Error('b did not begin');
    await store.failStep({
      workflowId: original,
      stepId: 'b',
      runToken: begun.runToken,
      error: 'ValidationError: no',
      durationMs: 1,
      retryDelayMs: null,
    });
    expect(await store.replay(replayMeta(original, 'b'))).toMatchObject({
      outcome: 'not-completed',
      stepId: 'c',
    });
    const fromA = await store.replay(replayMeta(original, 'a'));
    expect(fromA).toMatchObject({ outcome: 'created', reusedSteps: [] });
  });

  it('answers gone for a workflow no longer in Redis, and unknown-step for a step not in its graph', async () => {
    expect(await store.replay(replayMeta(randomUUID(), 'a'))).toEqual({ outcome: 'gone' });
    const original = await finishedDiamond();
    expect(await store.replay(replayMeta(original, 'zz'))).toEqual({
      outcome: 'unknown-step',
      steps: diamond.order,
    });
  });

  it('creates the workflow once when the same call is sent again', async () => {
    const original = await finishedDiamond();
    const again = replayMeta(original, 'd');
    expect(await store.replay(again)).toMatchObject({ outcome: 'created' });
    expect(await store.replay(again)).toMatchObject({ outcome: 'created', reusedSteps: ['a', 'b', 'c'] });
    expect(
      (await store.eventsAfter(again.workflowId, 0)).filter((e) => e.type === WorkflowEventType.Log),
    ).toHaveLength(1);
  });
});

import { AgentLifecycle, WorkflowStatus } from '@app/contracts';
import { compileWorkflowGraph, pinWorkflowGraph } from './workflow-graph';
import { WorkflowMeta } from './workflow-records';
import { WorkflowStore } from './workflow-store';
import { useTestStore } from './testing/test-store';

/** plan → builder → polish → audit (sends the work back to builder, 3 iterations at most) → deploy. */
const graph = pinWorkflowGraph(
  compileWorkflowGraph(
    {
      type: 'LOOPED',
      description: '',
      steps: [
        { id: 'plan', agent: 'echo', dependsOn: [] },
        { id: 'builder', agent: 'echo', dependsOn: ['plan'] },
        { id: 'polish', agent: 'echo', dependsOn: ['builder'] },
        { id: 'audit', agent: 'echo', dependsOn: ['polish'], revise: { step: 'builder', maxIterations: 3 } },
        { id: 'deploy', agent: 'echo', dependsOn: ['audit'] },
      ],
    },
    () => null,
  ),
  () => 1,
);

describe('quality loops in the WorkflowStore (real Redis)', () => {
  const testing = useTestStore();
  let store: WorkflowStore;

  const meta = (): WorkflowMeta => testing.meta('LOOPED');

  beforeAll(() => ({ store } = testing));

  async function begin(workflowId: string, stepId: string, attempt: number) {
    const begun = await store.beginStep(workflowId, stepId, attempt);
    if (begun.outcome !== 'run') throw new Error(`expected to run ${stepId}, got ${JSON.stringify(begun)}`);
    return begun;
  }

  /** Runs a step to completion; returns the steps it readied, as the queue would get them. */
  async function run(workflowId: string, stepId: string, attempt = 1) {
    const begun = await begin(workflowId, stepId, attempt);
    const completed = await store.completeStep({
      workflowId,
      stepId,
      graphId: begun.graphId,
      runToken: begun.runToken,
      output: { from: stepId, attempt },
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
    });
    if (completed.outcome !== 'advanced') throw new Error(`expected ${stepId} to advance`);
    return completed.readySteps.map(({ stepId: id, attempt: next }) => ({ stepId: id, attempt: next }));
  }

  /** Creates a workflow and runs it up to a begun audit. */
  async function upToAudit() {
    const { workflowId } = await store.create(meta(), graph);
    await run(workflowId, 'plan');
    await run(workflowId, 'builder');
    await run(workflowId, 'polish');
    return { workflowId, audit: await begin(workflowId, 'audit', 1) };
  }

  const revise = (
    workflowId: string,
    audit: { runToken: string; graphId: string },
    summary = '2 findings: image without alt text, low contrast',
  ) =>
    store.requestRevision({
      workflowId,
      stepId: 'audit',
      runToken: audit.runToken,
      graphId: audit.graphId,
      feedback: { findings: ['image-alt', 'color-contrast'] },
      summary,
      durationMs: 5,
    });

  const lifecycles = async (workflowId: string) =>
    Object.fromEntries((await store.get(workflowId))!.steps.map((step) => [step.stepId, step.lifecycle]));

  it('sends the work back: resets the target and the steps up to the checker, says so, queues the target with the feedback', async () => {
    const { workflowId, audit } = await upToAudit();
    const before = (await store.get(workflowId))!.lastEventId;

    expect(await revise(workflowId, audit)).toEqual({
      outcome: 'revised',
      iteration: 2,
      maxIterations: 3,
      target: 'builder',
      readySteps: [expect.objectContaining({ stepId: 'builder', attempt: 2 })],
    });

    const state = (await store.get(workflowId))!;
    expect(state.status).toBe(WorkflowStatus.Running);
    expect(await lifecycles(workflowId)).toEqual({
      plan: AgentLifecycle.Completed,
      builder: AgentLifecycle.Ready,
      polish: AgentLifecycle.Registered,
      audit: AgentLifecycle.Registered,
      deploy: AgentLifecycle.Registered,
    });
    expect(state.completedSteps).toBe(1);
    const builder = state.steps.find((step) => step.stepId === 'builder')!;
    expect(builder.iteration).toEqual({ current: 2, max: 3 });
    expect(state.steps.find((step) => step.stepId === 'plan')!.iteration).toBeUndefined();
    expect(state.metrics.iterations).toEqual({ audit: 2 });

    const events = (await store.eventsAfter(workflowId, before)).map((event) => {
      const { type } = event;
      if (type === 'agent_status') return `${event.stepId} ${event.lifecycle}`;
      if (type === 'log') return event.message;
      if (type === 'progress') return `progress ${event.completedSteps}/${event.totalSteps}`;
      return type;
    });
    expect(events).toEqual([
      'builder READY',
      'polish REGISTERED',
      'audit REGISTERED',
      'audit sent the work back to builder (iteration 2 of 3): 2 findings: image without alt text, low contrast',
      'progress 1/5',
    ]);

    // A job of the first iteration delivered again (its worker died unacknowledged) is stale.
    expect(await store.beginStep(workflowId, 'builder', 1)).toEqual({ outcome: 'stale' });
    // The target reads why; the steps after it run again, each as a new attempt (a new job id).
    const builderRun = await begin(workflowId, 'builder', 2);
    expect(builderRun.feedback).toEqual({
      from: 'audit',
      iteration: 2,
      maxIterations: 3,
      feedback: { findings: ['image-alt', 'color-contrast'] },
    });
    expect(builderRun.firstAttempt).toBe(2);
    await store.failStep({
      workflowId,
      stepId: 'builder',
      runToken: builderRun.runToken,
      error: 'flaky',
      durationMs: 1,
      retryDelayMs: 10,
    });
    expect(await run(workflowId, 'builder', 3)).toEqual([{ stepId: 'polish', attempt: 2 }]);
    expect(await run(workflowId, 'polish', 2)).toEqual([{ stepId: 'audit', attempt: 2 }]);
    const auditAgain = await begin(workflowId, 'audit', 2);
    expect(auditAgain.feedback).toBeUndefined();
    expect(auditAgain.dependencies.polish).toEqual({ from: 'polish', attempt: 2 });
    const passed = await store.completeStep({
      workflowId,
      stepId: 'audit',
      graphId: auditAgain.graphId,
      runToken: auditAgain.runToken,
      output: { score: 95 },
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
    });
    expect(passed).toMatchObject({ outcome: 'advanced', readySteps: [{ stepId: 'deploy', attempt: 1 }] });
    await run(workflowId, 'deploy');
    const done = (await store.get(workflowId))!;
    expect(done.status).toBe(WorkflowStatus.Completed);
    expect(done.metrics.iterations).toEqual({ audit: 2 });
    expect(done.metrics.retryCount).toBe(1);
  });

  it('fails the workflow when the check still fails on the last iteration', async () => {
    const { workflowId, audit } = await upToAudit();
    expect(await revise(workflowId, audit)).toMatchObject({ outcome: 'revised', iteration: 2 });
    await run(workflowId, 'builder', 2);
    await run(workflowId, 'polish', 2);
    expect(await revise(workflowId, await begin(workflowId, 'audit', 2))).toMatchObject({
      outcome: 'revised',
      iteration: 3,
      readySteps: [{ stepId: 'builder', attempt: 3 }],
    });
    await run(workflowId, 'builder', 3);
    await run(workflowId, 'polish', 3);
    const last = await revise(
      workflowId,
      await begin(workflowId, 'audit', 3),
      'still 1 finding: low contrast',
    );
    expect(last).toEqual({
      outcome: 'failed',
      message: 'audit still failing after 3 iterations: still 1 finding: low contrast',
    });
    const state = (await store.get(workflowId))!;
    expect(state.status).toBe(WorkflowStatus.Failed);
    expect(state.error).toBe('audit: audit still failing after 3 iterations: still 1 finding: low contrast');
    expect(state.metrics.iterations).toEqual({ audit: 3 });
    expect(state.steps.find((step) => step.stepId === 'deploy')!.lifecycle).toBe(AgentLifecycle.Registered);
  });

  it('resets once when the same request arrives twice (a resent call), answering it as the first', async () => {
    const { workflowId, audit } = await upToAudit();
    const first = await revise(workflowId, audit);
    const seq = (await store.get(workflowId))!.lastEventId;
    expect(await revise(workflowId, audit)).toEqual(first);
    const state = (await store.get(workflowId))!;
    expect(state.lastEventId).toBe(seq);
    expect(state.metrics.iterations).toEqual({ audit: 2 });
    expect(state.steps.find((step) => step.stepId === 'builder')).toMatchObject({ attempts: 1 });
    // Once the target has begun, the resent call has nothing left to queue.
    await begin(workflowId, 'builder', 2);
    expect(await revise(workflowId, audit)).toMatchObject({ outcome: 'revised', readySteps: [] });
    expect((await store.get(workflowId))!.lastEventId).toBe(seq + 1);
  });

  it('lets a cancel end a workflow inside a loop: the target does not begin, a late request changes nothing', async () => {
    const { workflowId, audit } = await upToAudit();
    await revise(workflowId, audit);
    expect(await store.cancel(workflowId)).toEqual({ outcome: 'cancelled' });
    expect(await store.beginStep(workflowId, 'builder', 2)).toEqual({
      outcome: 'inactive',
      status: WorkflowStatus.Cancelled,
    });

    const other = await upToAudit();
    await store.cancel(other.workflowId);
    expect(await revise(other.workflowId, other.audit)).toEqual({
      outcome: 'inactive',
      status: WorkflowStatus.Cancelled,
    });
    expect((await store.get(other.workflowId))!.metrics.iterations).toEqual({ audit: 1 });
  });

  it('holds the target of a paused workflow until it resumes', async () => {
    const { workflowId, audit } = await upToAudit();
    await store.pause(workflowId, 'paused by test');
    expect(await revise(workflowId, audit)).toMatchObject({ outcome: 'revised', readySteps: [] });
    expect((await store.get(workflowId))!.status).toBe(WorkflowStatus.Paused);
    const resumed = await store.unpause(workflowId, 'resumed by test');
    expect(resumed).toMatchObject({
      outcome: 'unpaused',
      status: WorkflowStatus.Running,
      readySteps: [{ stepId: 'builder', attempt: 2 }],
    });
    expect((await begin(workflowId, 'builder', 2)).feedback).toMatchObject({ iteration: 2 });
  });

  it('refuses a request from a step that declares no loop, and a stale one', async () => {
    const { workflowId, audit } = await upToAudit();
    await store.requestRevision({
      workflowId,
      stepId: 'audit',
      runToken: 'not-the-token',
      graphId: audit.graphId,
      feedback: null,
      summary: 'x',
      durationMs: 0,
    });
    expect(await lifecycles(workflowId)).toMatchObject({ audit: AgentLifecycle.Executing });
    const { workflowId: second } = await store.create(meta(), graph);
    const plan = await begin(second, 'plan', 1);
    expect(
      await store.requestRevision({
        workflowId: second,
        stepId: 'plan',
        runToken: plan.runToken,
        graphId: plan.graphId,
        feedback: null,
        summary: 'x',
        durationMs: 0,
      }),
    ).toEqual({ outcome: 'no-loop' });
  });

  it('starts a replay from inside the loop with its own count of iterations', async () => {
    const { workflowId, audit } = await upToAudit();
    await revise(workflowId, audit);
    await run(workflowId, 'builder', 2);
    await run(workflowId, 'polish', 2);
    await run(workflowId, 'audit', 2);
    await run(workflowId, 'deploy');
    const replay = await store.replay({
      ...meta(),
      workflowId: store.newWorkflowId({ replayOf: workflowId }),
      replayOf: { workflowId, fromStep: 'polish' },
    });
    expect(replay.outcome).toBe('created');
    if (replay.outcome !== 'created') return;
    await run(replay.workflowId, 'polish');
    const replayedAudit = await begin(replay.workflowId, 'audit', 1);
    expect(await revise(replay.workflowId, replayedAudit)).toMatchObject({
      outcome: 'revised',
      iteration: 2,
      readySteps: [{ stepId: 'builder', attempt: 1 }],
    });
    expect(await lifecycles(replay.workflowId)).toMatchObject({
      plan: AgentLifecycle.Completed,
      builder: AgentLifecycle.Ready,
    });
  });
});

import { AgentLifecycle, ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE, WorkflowStatus } from '@app/contracts';
import { APPROVAL_WAITING_REASON } from './approval-steps';
import { APPROVAL_GRAPH } from './testing/approval-graph';
import { compileWorkflowGraph, pinWorkflowGraph } from './workflow-graph';
import { WorkflowMeta } from './workflow-records';
import { WorkflowStore } from './workflow-store';
import { useTestStore } from './testing/test-store';

describe('approval steps and pauses in the WorkflowStore (real Redis)', () => {
  const testing = useTestStore();
  let store: WorkflowStore;

  const meta = (): WorkflowMeta => testing.meta('APPROVED');

  beforeAll(() => ({ store } = testing));

  async function run(workflowId: string, stepId: string, attempt = 1) {
    const begun = await store.beginStep(workflowId, stepId, attempt);
    if (begun.outcome !== 'run') throw new Error(`expected to run ${stepId}, got ${JSON.stringify(begun)}`);
    const completed = await store.completeStep({
      workflowId,
      stepId,
      graphId: begun.graphId,
      runToken: begun.runToken,
      output: { from: stepId },
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
    });
    if (completed.outcome !== 'advanced') throw new Error(`expected ${stepId} to advance`);
    return completed;
  }

  const stepOf = async (workflowId: string, stepId: string) =>
    (await store.get(workflowId))!.steps.find((step) => step.stepId === stepId)!;

  it('refuses an approval step with no step before it, or with an agent too', () => {
    const compile = (step: Record<string, unknown>) =>
      compileWorkflowGraph(
        { type: 'X', description: '', steps: [{ id: 'a', dependsOn: [], ...step }] },
        () => null,
      );
    expect(() => compile({ approval: { onTimeout: 'fail' } })).toThrow(
      'approval step with no step before it',
    );
    expect(() => compile({ agent: 'approval' })).toThrow('agent name "approval" is reserved');
  });

  it('waits for approval (WAITING, its deadline queued), then approves with the payload as output', async () => {
    const { workflowId } = await store.create(meta(), APPROVAL_GRAPH);
    const afterPlan = await run(workflowId, 'plan');
    expect(afterPlan.status).toBe(WorkflowStatus.Waiting);
    const approval = afterPlan.readySteps.find((step) => step.stepId === 'approve');
    expect(approval).toEqual({
      stepId: 'approve',
      attempt: 1,
      queue: ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE,
      deadlineMs: 60_000,
    });
    expect(await stepOf(workflowId, 'approve')).toMatchObject({
      lifecycle: AgentLifecycle.Ready,
      waitingFor: APPROVAL_WAITING_REASON,
    });
    // The side branch runs while the approval waits; the workflow stays WAITING.
    expect((await run(workflowId, 'side')).status).toBe(WorkflowStatus.Waiting);
    const approved = await store.decideApproval({
      workflowId,
      stepId: 'approve',
      decision: 'approve',
      output: { plan: 'edited' },
      message: 'approved by me',
    });
    expect(approved).toMatchObject({ outcome: 'approved', status: WorkflowStatus.Running });
    expect(approved.outcome === 'approved' && approved.readySteps.map((step) => step.stepId)).toEqual([
      'build',
    ]);
    expect(await store.output(workflowId, 'approve')).toEqual({ plan: 'edited' });
    const again = await store.decideApproval({
      workflowId,
      stepId: 'approve',
      decision: 'approve',
      message: 'again',
    });
    expect(again).toMatchObject({ outcome: 'not-waiting', lifecycle: AgentLifecycle.Completed });
    const begun = await store.beginStep(workflowId, 'build', 1);
    expect(begun.outcome === 'run' && begun.dependencies.approve).toEqual({ plan: 'edited' });
  });

  it('a replay from an approval step waits for a person again (WAITING), then goes on when approved', async () => {
    const original = meta();
    const { workflowId } = await store.create(original, APPROVAL_GRAPH);
    await run(workflowId, 'plan');
    await run(workflowId, 'side');
    const approved = await store.decideApproval({
      workflowId,
      stepId: 'approve',
      decision: 'approve',
      message: 'ok',
    });
    expect(approved.outcome).toBe('approved');
    await run(workflowId, 'build');
    expect((await store.get(workflowId))!.status).toBe(WorkflowStatus.Completed);

    const replay = {
      ...meta(),
      workflowId: store.newWorkflowId({ replayOf: workflowId }),
      replayOf: { workflowId, fromStep: 'approve' },
    };
    const replayed = await store.replay(replay);
    expect(replayed).toMatchObject({ outcome: 'created', reusedSteps: ['plan', 'side'] });
    expect(replayed.outcome === 'created' && replayed.readySteps).toEqual([
      { stepId: 'approve', attempt: 1, queue: ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE, deadlineMs: 60_000 },
    ]);
    expect((await store.get(replay.workflowId))!.status).toBe(WorkflowStatus.Waiting);
    expect(await stepOf(replay.workflowId, 'approve')).toMatchObject({
      lifecycle: AgentLifecycle.Ready,
      waitingFor: APPROVAL_WAITING_REASON,
    });
    const decided = await store.decideApproval({
      workflowId: replay.workflowId,
      stepId: 'approve',
      decision: 'approve',
      output: { plan: 'second thoughts' },
      message: 'ok again',
    });
    expect(decided).toMatchObject({ outcome: 'approved', status: WorkflowStatus.Running });
    await run(replay.workflowId, 'build');
    expect((await store.get(replay.workflowId))!.status).toBe(WorkflowStatus.Completed);
  });

  it('a rejection ends the workflow FAILED, naming the step and the reason', async () => {
    const { workflowId } = await store.create(meta(), APPROVAL_GRAPH);
    await run(workflowId, 'plan');
    expect(
      await store.decideApproval({
        workflowId,
        stepId: 'approve',
        decision: 'fail',
        message: 'rejected by key k1',
      }),
    ).toEqual({ outcome: 'failed' });
    const state = (await store.get(workflowId))!;
    expect(state.status).toBe(WorkflowStatus.Failed);
    expect(state.error).toBe('approve: rejected by key k1');
    expect(await store.expireApproval(workflowId, 'approve')).toMatchObject({ outcome: 'not-waiting' });
  });

  it('pauses: a job arriving is parked, a finishing step holds its successors; unpausing queues exactly those', async () => {
    const { workflowId } = await store.create(meta(), APPROVAL_GRAPH);
    const running = await store.beginStep(workflowId, 'plan', 1);
    if (running.outcome !== 'run') throw new Error('plan did not begin');
    expect(await store.pause(workflowId, 'paused by me')).toEqual({ outcome: 'paused' });
    expect(await store.pause(workflowId, 'again')).toEqual({
      outcome: 'not-active',
      status: WorkflowStatus.Paused,
    });
    const completed = await store.completeStep({
      workflowId,
      stepId: 'plan',
      graphId: running.graphId,
      runToken: running.runToken,
      output: {},
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
    });
    expect(completed).toMatchObject({ outcome: 'advanced', status: WorkflowStatus.Paused, readySteps: [] });
    // A job of `side` that was queued before the pause arrives: parked, not begun.
    expect(await store.beginStep(workflowId, 'side', 1)).toEqual({ outcome: 'inactive', status: 'PAUSED' });
    expect(await stepOf(workflowId, 'side')).toMatchObject({
      lifecycle: AgentLifecycle.Ready,
      waitingFor: 'workflow paused',
    });
    const unpaused = await store.unpause(workflowId, 'resumed by me');
    expect(unpaused).toMatchObject({ outcome: 'unpaused', status: WorkflowStatus.Waiting });
    expect(
      unpaused.outcome === 'unpaused' && unpaused.readySteps.map(({ stepId, attempt }) => [stepId, attempt]),
    ).toEqual([
      ['approve', 1],
      ['side', 2],
    ]);
    // The parked job, delivered again, does not run; its new attempt does.
    expect(await store.beginStep(workflowId, 'side', 1)).toEqual({ outcome: 'stale' });
    expect((await run(workflowId, 'side', 2)).status).toBe(WorkflowStatus.Waiting);
    expect(await store.unpause(workflowId, 'again')).toEqual({
      outcome: 'not-paused',
      status: WorkflowStatus.Waiting,
    });
  });

  it("parks a fan-out's sub-step whose job arrives while paused, and queues it again on resume", async () => {
    const fanOut = pinWorkflowGraph(
      compileWorkflowGraph(
        {
          type: 'FANNED',
          description: '',
          steps: [
            { id: 'list', agent: 'echo', dependsOn: [] },
            { id: 'each', agent: 'echo', dependsOn: ['list'], forEach: { from: 'list' } },
          ],
        },
        () => null,
      ),
      () => 1,
    );
    const { workflowId } = await store.create(meta(), fanOut);
    await run(workflowId, 'list');
    const each = await store.beginStep(workflowId, 'each', 1);
    if (each.outcome !== 'run') throw new Error('each did not begin');
    const fanned = await store.fanOut({
      workflowId,
      graphId: each.graphId,
      stepId: 'each',
      runToken: each.runToken,
      items: ['x', 'y'],
    });
    expect(fanned.outcome === 'fanned-out' && fanned.readySteps.map((step) => step.stepId)).toEqual([
      'each#0',
      'each#1',
    ]);
    await store.pause(workflowId, 'paused');
    expect(await store.beginStep(workflowId, 'each#0', 1)).toEqual({ outcome: 'inactive', status: 'PAUSED' });
    const unpaused = await store.unpause(workflowId, 'resumed');
    expect(
      unpaused.outcome === 'unpaused' && unpaused.readySteps.map(({ stepId, attempt }) => [stepId, attempt]),
    ).toEqual([['each#0', 2]]);
    expect((await store.beginStep(workflowId, 'each#0', 2)).outcome).toBe('run');
  });

  it('a deadline with a default approves with it, once', async () => {
    const withDefault = pinWorkflowGraph(
      compileWorkflowGraph(
        {
          type: 'DEFAULTED',
          description: '',
          steps: [
            { id: 'plan', agent: 'echo', dependsOn: [] },
            {
              id: 'ok',
              approval: { deadlineSeconds: 1, onTimeout: 'default', default: { go: true } },
              dependsOn: ['plan'],
            },
          ],
        },
        () => null,
      ),
      () => 1,
    );
    const { workflowId } = await store.create(meta(), withDefault);
    await run(workflowId, 'plan');
    expect(await store.expireApproval(workflowId, 'ok')).toMatchObject({
      outcome: 'approved',
      status: 'COMPLETED',
    });
    const state = (await store.get(workflowId))!;
    expect(state.status).toBe(WorkflowStatus.Completed);
    expect(state.result).toEqual({ ok: { go: true } });
  });
});

import { WorkflowStatus } from '@app/contracts';
import Redis from 'ioredis';
import { DIAMOND_GRAPH } from './testing/diamond-graph';
import { APPROVAL_GRAPH } from './testing/approval-graph';
import { WorkflowMeta } from './workflow-records';
import { WorkflowStore } from './workflow-store';
import { useTestStore } from './testing/test-store';

const BUDGET = 'budget exhausted: tenant t1 today 10/10 tokens';

describe('steps whose wait holds their workflow WAITING (a spent budget) in the WorkflowStore (real Redis)', () => {
  const testing = useTestStore();
  let redis: Redis;
  let store: WorkflowStore;

  const meta = (type: string): WorkflowMeta => testing.meta(type);
  const statusOf = async (workflowId: string) => (await store.get(workflowId))!.status;

  beforeAll(() => ({ redis, store } = testing));

  async function run(workflowId: string, stepId: string) {
    const begun = await store.beginStep(workflowId, stepId, 1);
    if (begun.outcome !== 'run') throw new Error(`expected to run ${stepId}, got ${JSON.stringify(begun)}`);
    return store.completeStep({
      workflowId,
      stepId,
      graphId: begun.graphId,
      runToken: begun.runToken,
      output: { from: stepId },
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
    });
  }

  it('a root step held back makes a PENDING workflow WAITING; beginning it makes it RUNNING, its first step', async () => {
    const { workflowId } = await store.create(meta('APPROVED'), APPROVAL_GRAPH);
    // A wait flow control ends by itself (a rate) says why on the step, and leaves the status alone.
    expect(await store.markWaiting(workflowId, ['plan'], 'rate limit tenant=t1: 1/s')).toBe(1);
    expect(await statusOf(workflowId)).toBe(WorkflowStatus.Pending);
    expect(await store.markWaiting(workflowId, ['plan'], BUDGET, { holdsWorkflow: true })).toBe(1);
    // Asked again for the same reason: nothing changes, nothing is counted twice.
    expect(await store.markWaiting(workflowId, ['plan'], BUDGET, { holdsWorkflow: true })).toBe(0);
    const waiting = await store.get(workflowId);
    expect(waiting?.status).toBe(WorkflowStatus.Waiting);
    expect(waiting!.steps[0]).toMatchObject({ lifecycle: 'READY', waitingFor: BUDGET });
    expect(await store.beginStep(workflowId, 'plan', 1)).toMatchObject({ outcome: 'run', isFirstStep: true });
    expect(await statusOf(workflowId)).toBe(WorkflowStatus.Running);
    expect(await redis.hexists(store.keys.workflow(workflowId), 'startedAtMs')).toBe(1);
  });

  it('stays WAITING while an approval or a held step is left, through a decision and a pause', async () => {
    const { workflowId } = await store.create(meta('APPROVED'), APPROVAL_GRAPH);
    await run(workflowId, 'plan'); // approve waits for a person: WAITING
    expect(await store.markWaiting(workflowId, ['side'], BUDGET, { holdsWorkflow: true })).toBe(1);
    const decided = await store.decideApproval({
      workflowId,
      stepId: 'approve',
      decision: 'approve',
      output: { ok: true },
      message: 'approved',
    });
    // The approval is decided, but side still waits for its budget.
    expect(decided).toMatchObject({ outcome: 'approved', status: WorkflowStatus.Waiting });
    expect(await store.pause(workflowId, 'paused')).toMatchObject({ outcome: 'paused' });
    expect(await store.unpause(workflowId, 'resumed')).toMatchObject({ status: WorkflowStatus.Waiting });
    await run(workflowId, 'side');
    expect(await statusOf(workflowId)).toBe(WorkflowStatus.Running);
    await run(workflowId, 'build');
    expect(await statusOf(workflowId)).toBe(WorkflowStatus.Completed);
  });

  it('a claimed successor handed back for its budget holds the workflow WAITING until it begins', async () => {
    const { workflowId } = await store.create(meta('DIAMOND'), DIAMOND_GRAPH);
    const a = await store.beginStep(workflowId, 'a', 1, 'job-a');
    if (a.outcome !== 'run') throw new Error('expected to run a');
    const completed = await store.completeStep({
      workflowId,
      stepId: 'a',
      graphId: a.graphId,
      runToken: a.runToken,
      output: 'A',
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
      claimForJob: { jobId: 'job-a', meta: a.meta, servedQueues: new Set(['steps.echo@1']) },
    });
    if (completed.outcome !== 'advanced' || !completed.claimed)
      throw new Error('expected a claimed successor');
    const { stepId, runToken } = completed.claimed;
    expect(await store.returnClaim(workflowId, stepId, runToken, BUDGET, { holdsWorkflow: true })).toBe(true);
    expect(await statusOf(workflowId)).toBe(WorkflowStatus.Waiting);
    // The other successor runs meanwhile; the workflow stays WAITING.
    await run(workflowId, stepId === 'b' ? 'c' : 'b');
    expect(await statusOf(workflowId)).toBe(WorkflowStatus.Waiting);
    await run(workflowId, stepId);
    expect(await statusOf(workflowId)).toBe(WorkflowStatus.Running);
  });
});

import { randomUUID } from 'node:crypto';
import { WorkflowDefinition } from '@app/contracts';
import { compileWorkflowGraph, pinWorkflowGraph, stepQueueOf, WorkflowGraph } from './workflow-graph';
import { useTestStore } from './testing/test-store';

const graphOf = (steps: WorkflowDefinition['steps']): WorkflowGraph =>
  pinWorkflowGraph(
    compileWorkflowGraph({ type: 'CLAIMS', description: '', steps }, () => null),
    () => 1,
  );

/** a → b → c, and a → side: a has two successors, c has one. */
const forked = graphOf([
  { id: 'a', agent: 'alpha', dependsOn: [] },
  { id: 'b', agent: 'beta', dependsOn: ['a'] },
  { id: 'side', agent: 'gamma', dependsOn: ['a'] },
  { id: 'c', agent: 'beta', dependsOn: ['b'] },
  { id: 'join', agent: 'alpha', dependsOn: ['c', 'side'] },
]);

/**
 * The store's forecast of what a completion will claim (flow control asks about that successor
 * while the completion travels): only what the completion will surely ready and may claim.
 */
describe('WorkflowStore.likelyClaim (real Redis)', () => {
  const testing = useTestStore();
  const queues = (...stepIds: string[]) => new Set(stepIds.map((id) => stepQueueOf(forked, id)));

  it('names the only claimable successor that waits for nothing else, as the completion then claims it', async () => {
    const { store } = testing;
    const { workflowId } = await store.create(testing.meta('CLAIMS', { workflowId: randomUUID() }), forked);
    const a = await store.beginStep(workflowId, 'a', 1);
    if (a.outcome !== 'run') throw new Error(a.outcome);

    // a's successors b and side: with both served, no single one can be named.
    expect(await store.likelyClaim(workflowId, a.graphId, 'a', queues('a', 'b', 'side'))).toBeNull();
    // Served alone, b is named: side's queue is another worker's.
    const forecast = await store.likelyClaim(workflowId, a.graphId, 'a', queues('b'));
    expect(forecast).toEqual({ stepId: 'b', queue: stepQueueOf(forked, 'b') });

    const completed = await store.completeStep({
      workflowId,
      graphId: a.graphId,
      stepId: 'a',
      runToken: a.runToken,
      output: {},
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
      claimForJob: { jobId: 'job-1', meta: testing.meta('CLAIMS'), servedQueues: queues('b') },
    });
    expect(completed.outcome === 'advanced' && completed.claimed?.stepId).toBe('b');
  });

  it('names none for a successor that also waits for another step, none served, or a sub-step', async () => {
    const { store } = testing;
    const { workflowId } = await store.create(testing.meta('CLAIMS', { workflowId: randomUUID() }), forked);
    const a = await store.beginStep(workflowId, 'a', 1);
    if (a.outcome !== 'run') throw new Error(a.outcome);
    // join waits for c and side: completing c may or may not ready it.
    expect(await store.likelyClaim(workflowId, a.graphId, 'c', queues('join'))).toBeNull();
    expect(await store.likelyClaim(workflowId, a.graphId, 'b', queues('join'))).toBeNull();
    expect(await store.likelyClaim(workflowId, a.graphId, 'b', queues('c'))).toEqual({
      stepId: 'c',
      queue: stepQueueOf(forked, 'c'),
    });
    expect(await store.likelyClaim(workflowId, a.graphId, 'b#0', queues('c'))).toBeNull();
  });
});

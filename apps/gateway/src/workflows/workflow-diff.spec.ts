import { AgentLifecycle, StepState, WorkflowState, emptyWorkflowMetrics } from '@app/contracts';
import { DiffSide, diffWorkflows, outputHash } from './workflow-diff';

const step = (stepId: string, extra: Partial<StepState> = {}): StepState => ({
  stepId,
  agent: 'echo',
  dependsOn: [],
  lifecycle: AgentLifecycle.Completed,
  attempts: 1,
  startedAt: null,
  finishedAt: null,
  error: null,
  waitingFor: null,
  llmCalls: 0,
  llmTokens: 0,
  ...extra,
});

function side(
  workflowId: string,
  steps: StepState[],
  outputs: Record<string, unknown> | null,
  durations: Record<string, number> = {},
): DiffSide {
  const state = {
    workflowId,
    steps,
    metrics: { ...emptyWorkflowMetrics(), agentDurationsMs: durations },
  } as WorkflowState;
  return { state, outputs: outputs && new Map(Object.entries(outputs)) };
}

describe('diffWorkflows', () => {
  it('names the steps whose outputs differ, ignoring key order, with both sides’ figures', () => {
    const original = side(
      'w1',
      [step('a', { llmTokens: 7 }), step('b', { llmTokens: 3 })],
      { a: { x: 1, y: [1, 2] }, b: { text: 'old' } },
      { a: 10, b: 20 },
    );
    const replay = side(
      'w2',
      [step('a', { attempts: 0, isReused: true }), step('b', { llmTokens: 4 })],
      { a: { y: [1, 2], x: 1 }, b: { text: 'new' } },
      { b: 25 },
    );
    const diff = diffWorkflows(replay, original);
    expect(diff.changedSteps).toEqual(['b']);
    expect(diff.steps[0]).toEqual({
      stepId: 'a',
      isOutputChanged: false,
      workflow: {
        lifecycle: AgentLifecycle.Completed,
        durationMs: null,
        llmTokens: 0,
        isReused: true,
        outputHash: outputHash({ x: 1, y: [1, 2] }),
      },
      other: expect.objectContaining({ durationMs: 10, llmTokens: 7, isReused: false }),
    });
    expect(diff.steps[1]).toMatchObject({
      isOutputChanged: true,
      workflow: { durationMs: 25, llmTokens: 4 },
      other: { durationMs: 20, llmTokens: 3 },
    });
  });

  it('cannot tell a change when one workflow’s outputs are no longer kept, and shows a step only one has', () => {
    const diff = diffWorkflows(
      side('w1', [step('a')], null),
      side('w2', [step('a'), step('z')], { a: 1, z: 2 }),
    );
    expect(diff.steps.map((entry) => [entry.stepId, entry.isOutputChanged, entry.workflow === null])).toEqual(
      [
        ['a', null, false],
        ['z', null, true],
      ],
    );
    expect(diff.changedSteps).toEqual([]);
  });

  it('counts a step with an output on one side only as changed', () => {
    const diff = diffWorkflows(
      side('w1', [step('a', { lifecycle: AgentLifecycle.Failed })], {}),
      side('w2', [step('a')], { a: { ok: true } }),
    );
    expect(diff.steps[0].isOutputChanged).toBe(true);
  });
});

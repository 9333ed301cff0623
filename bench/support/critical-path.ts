import { StepState } from '@app/contracts';

/**
 * The agent time a workflow could not have avoided: the longest path through its step graph,
 * each step weighing the time its agent spent (`metrics.agentDurationsMs`). Whatever the workflow
 * took beyond this is the orchestration's: queueing, hand-overs, state writes, event delivery.
 */
export function criticalPathMs({
  steps,
  agentDurationsMs,
}: {
  steps: Pick<StepState, 'stepId' | 'dependsOn'>[];
  agentDurationsMs: Record<string, number>;
}): number {
  const byId = new Map(steps.map((step) => [step.stepId, step]));
  const finish = new Map<string, number>();
  const finishOf = (stepId: string): number => {
    const known = finish.get(stepId);
    if (known !== undefined) return known;
    const before = Math.max(0, ...(byId.get(stepId)?.dependsOn ?? []).map(finishOf));
    const value = before + (agentDurationsMs[stepId] ?? 0);
    finish.set(stepId, value);
    return value;
  };
  return Math.max(0, ...steps.map((step) => finishOf(step.stepId)));
}

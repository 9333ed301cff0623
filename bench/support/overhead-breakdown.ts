import { StepState } from '@app/contracts';

/** Where a workflow's time went along the chain of steps that ended it, in ms (see overheadBreakdown). */
export interface OverheadBreakdown {
  /** From the workflow's creation to its first step's start: the root step's trip through its queue. */
  firstHopMs: number;
  /** Between a step's start and the end of the dependency it waited for last: the hand-overs. */
  handOversMs: number;
  /** Inside steps but outside their agents: reading inputs, committing outputs, events, logs. */
  inStepMs: number;
  /** The agents' own time on the chain. */
  agentMs: number;
  /** From the workflow's creation to its last step's end. */
  spanMs: number;
}

/**
 * Splits a completed workflow's time along the chain that ended it: from its last step back,
 * each step's dependency that ended last. Each step of the chain adds its agent's time, its time
 * inside the step outside the agent, and the gap before it started; the chain's first step adds
 * the trip from the workflow's creation. Times are the state's (the server's clock).
 */
export function overheadBreakdown({
  createdAt,
  steps,
  agentDurationsMs,
}: {
  createdAt: string;
  steps: Pick<StepState, 'stepId' | 'dependsOn' | 'startedAt' | 'finishedAt'>[];
  agentDurationsMs: Record<string, number>;
}): OverheadBreakdown {
  const byId = new Map(steps.map((step) => [step.stepId, step]));
  const startOf = (step: (typeof steps)[number]) => Date.parse(step.startedAt ?? '');
  const endOf = (step: (typeof steps)[number]) => Date.parse(step.finishedAt ?? '');
  const ran = steps.filter((step) => Number.isFinite(startOf(step)) && Number.isFinite(endOf(step)));
  if (ran.length === 0) throw new Error('the workflow has no step with a start and an end');
  const lastOf = (candidates: typeof ran) =>
    candidates.reduce((last, step) => (endOf(step) > endOf(last) ? step : last));
  const created = Date.parse(createdAt);
  const breakdown: OverheadBreakdown = { firstHopMs: 0, handOversMs: 0, inStepMs: 0, agentMs: 0, spanMs: 0 };
  let step = lastOf(ran);
  breakdown.spanMs = endOf(step) - created;
  for (;;) {
    const agentMs = agentDurationsMs[step.stepId] ?? 0;
    breakdown.agentMs += agentMs;
    breakdown.inStepMs += endOf(step) - startOf(step) - agentMs;
    const dependencies = step.dependsOn
      .map((id) => byId.get(id))
      .filter((dependency): dependency is (typeof ran)[number] => !!dependency && ran.includes(dependency));
    if (dependencies.length === 0) {
      breakdown.firstHopMs += startOf(step) - created;
      return breakdown;
    }
    const waitedFor = lastOf(dependencies);
    breakdown.handOversMs += startOf(step) - endOf(waitedFor);
    step = waitedFor;
  }
}

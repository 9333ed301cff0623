import { MAX_REVISION_ITERATIONS, StepDefinition } from '@app/contracts';

/**
 * A quality loop as the state machine reads it (see `RevisionLoop` in the contracts and
 * revision-scripts.lua.ts), under the id of the step that checks.
 */
export interface RevisionSpec {
  /** The step sent back with the feedback. */
  step: string;
  maxIterations: number;
  /**
   * The steps run again when the check fails, in topological order: the target and every step
   * between it and the checker (the checker is not in it: it is the step asking).
   */
  steps: string[];
}

/** What the loops' checks need of the graph being compiled. */
export interface RevisionGraphView {
  order: string[];
  ancestors: Record<string, string[]>;
  approvals: Record<string, unknown>;
  fanOut: Record<string, unknown>;
}

/**
 * Why a step's `revise` cannot be used, or its compiled loop. The rules, each because of what a
 * reset would otherwise break:
 * - the target is one of the checker's ancestors (a loop goes back, never sideways);
 * - 1 to 10 iterations;
 * - no approval step checks, is sent back or lies between: a person's decision is not a check to
 *   repeat, and a reset approval would wait for that person again on every iteration;
 * - no fan-out step checks, is sent back or lies between: each sub-step would ask on its own, and
 *   a reset would have to drop thousands of sub-steps and their items;
 * - every step that reads the target's work, directly or not, is in the loop or after the checker:
 *   a step beside the loop could have run on work the check later sent back.
 */
export function revisionLoopOf(
  step: StepDefinition,
  graph: RevisionGraphView,
): { problem: string } | { spec: RevisionSpec } {
  const revise = step.revise;
  if (!revise) return { problem: 'declares no revise' };
  const { step: target, maxIterations } = revise;
  if (!Number.isInteger(maxIterations) || maxIterations < 1 || maxIterations > MAX_REVISION_ITERATIONS)
    return { problem: `revise.maxIterations must be a whole number from 1 to ${MAX_REVISION_ITERATIONS}` };
  if (graph.approvals[step.id])
    return { problem: 'is an approval step: a decision is not a check that can send work back (revise)' };
  if (graph.fanOut[step.id])
    return { problem: 'fans out (forEach): each sub-step would send the work back on its own (revise)' };
  if (!graph.ancestors[step.id].includes(target))
    return {
      problem: `revises step "${target}", which is not one of its ancestors: a loop can only send work back to a step it depends on, directly or not`,
    };
  const steps = graph.order.filter(
    (id) => id === target || (graph.ancestors[id].includes(target) && graph.ancestors[step.id].includes(id)),
  );
  for (const id of steps) {
    if (graph.approvals[id])
      return {
        problem: `revises step "${target}", but approval step "${id}" is in the loop: it would wait for a person again on every iteration`,
      };
    if (graph.fanOut[id])
      return {
        problem: `revises step "${target}", but fan-out step "${id}" is in the loop: its sub-steps cannot be run again`,
      };
  }
  const outside = graph.order.find(
    (id) =>
      id !== step.id &&
      !steps.includes(id) &&
      graph.ancestors[id].includes(target) &&
      !graph.ancestors[id].includes(step.id),
  );
  if (outside !== undefined)
    return {
      problem: `revises step "${target}", but step "${outside}" reads its work without waiting for "${step.id}": it would run on work the check may send back`,
    };
  return { spec: { step: target, maxIterations, steps } };
}

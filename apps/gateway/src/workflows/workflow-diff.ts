import { createHash } from 'node:crypto';
import { StepDiff, StepRunFigures, WorkflowDiffResponse, WorkflowState } from '@app/contracts';

/** JSON with every object's keys sorted, so equal outputs hash alike whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** SHA-256 of an output's canonical JSON; null for no output. */
export function outputHash(output: unknown): string | null {
  return output === undefined ? null : createHash('sha256').update(canonicalJson(output)).digest('hex');
}

/** One side of a diff: a workflow's state and its steps' outputs, or null when they are no longer kept. */
export interface DiffSide {
  state: WorkflowState;
  outputs: Map<string, unknown> | null;
}

function figuresOf(side: DiffSide, stepId: string): StepRunFigures | null {
  const step = side.state.steps.find((candidate) => candidate.stepId === stepId);
  if (!step) return null;
  return {
    lifecycle: step.lifecycle,
    durationMs: side.state.metrics.agentDurationsMs[stepId] ?? null,
    llmTokens: step.llmTokens,
    isReused: step.isReused === true,
    outputHash: side.outputs ? outputHash(side.outputs.get(stepId)) : null,
  };
}

/** Compares two workflows step by step (by step id): outputs, durations, tokens, reuse. */
export function diffWorkflows(workflow: DiffSide, other: DiffSide): WorkflowDiffResponse {
  const stepIds = [...new Set([...workflow.state.steps, ...other.state.steps].map((step) => step.stepId))];
  const steps: StepDiff[] = stepIds.map((stepId) => {
    const mine = figuresOf(workflow, stepId);
    const theirs = figuresOf(other, stepId);
    const isKnown =
      workflow.outputs !== null &&
      other.outputs !== null &&
      (mine?.outputHash != null || theirs?.outputHash != null);
    return {
      stepId,
      isOutputChanged: isKnown ? mine?.outputHash !== theirs?.outputHash : null,
      workflow: mine,
      other: theirs,
    };
  });
  return {
    workflowId: workflow.state.workflowId,
    otherWorkflowId: other.state.workflowId,
    steps,
    changedSteps: steps.filter((step) => step.isOutputChanged === true).map((step) => step.stepId),
  };
}

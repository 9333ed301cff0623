import { AgentLifecycle } from '../workflow.enums';

/** One step as it went in one of the two workflows a diff compares. */
export class StepRunFigures {
  lifecycle!: AgentLifecycle;
  /** Milliseconds its agent spent (all attempts); null when it did not run in this workflow. */
  durationMs!: number | null;
  llmTokens!: number;
  /** True when the step was not run but its output copied from the workflow replayed. */
  isReused!: boolean;
  /** SHA-256 of its output's JSON (keys sorted); null when it has none, or it is no longer kept. */
  outputHash!: string | null;
}

/** One step of a diff; `workflow` or `other` is null when the step is not in that workflow's graph. */
export class StepDiff {
  stepId!: string;
  /**
   * Whether the two outputs differ; null when it cannot be told (a workflow's outputs are no
   * longer kept in Redis, or neither has one).
   */
  isOutputChanged!: boolean | null;
  workflow!: StepRunFigures | null;
  other!: StepRunFigures | null;
}

/** The answer to `GET /workflows/:id/diff/:otherId`: the two workflows step by step. */
export class WorkflowDiffResponse {
  workflowId!: string;
  otherWorkflowId!: string;
  /** In the order of the first workflow's steps, then steps only the other has. */
  steps!: StepDiff[];
  /** The ids of the steps whose outputs differ. */
  changedSteps!: string[];
}

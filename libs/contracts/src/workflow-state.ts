import { AgentLifecycle, WorkflowStatus } from './workflow.enums';

/** Figures kept for every workflow while it runs, returned by `GET /workflows/:id`. */
export class WorkflowMetrics {
  /** Milliseconds from the first step's start to the terminal state; null while running. */
  totalDurationMs!: number | null;
  /** Milliseconds each step's agent spent executing (all attempts), by step id. */
  agentDurationsMs!: Record<string, number>;
  llmCalls!: number;
  llmTokens!: number;
  errorCount!: number;
  retryCount!: number;
}

/** One step of a workflow as the state machine sees it. */
export class StepState {
  stepId!: string;
  agent!: string;
  dependsOn!: string[];
  lifecycle!: AgentLifecycle;
  /** Attempts started so far (1 for the first run). */
  attempts!: number;
  startedAt!: string | null;
  finishedAt!: string | null;
  error!: string | null;
  /**
   * Why a READY step is not running yet, such as "no live worker serves planner@2"; null when
   * nothing holds it back. It runs as soon as the cause goes away.
   */
  waitingFor!: string | null;
}

/** One workflow in a listing: what `GET /workflows` shows of it. */
export class WorkflowSummary {
  workflowId!: string;
  /** Its workflow type, such as CREATE_SITE. */
  type!: string;
  status!: WorkflowStatus;
  /** The website builder's session; memory is kept per session. */
  sessionId!: string;
  /** ISO-8601 time the workflow was started. */
  createdAt!: string;
  /** ISO-8601 time of its last change. */
  updatedAt!: string;
  /** ISO-8601 time it reached COMPLETED, FAILED or CANCELLED; null until then. */
  finishedAt!: string | null;
  /** The error that ended the workflow, when it FAILED. */
  error!: string | null;
}

/** The live state of one workflow, kept in Redis and written to PostgreSQL when it ends. */
export class WorkflowState extends WorkflowSummary {
  tenantId!: string;
  /** What the workflow works on, as it was started. */
  input!: Record<string, unknown>;
  preferences!: Record<string, unknown>;
  steps!: StepState[];
  metrics!: WorkflowMetrics;
  /** Outputs of the workflow's final steps (those no other step depends on); null until it completes. */
  result!: Record<string, unknown> | null;
}

/** A page of workflows, newest first. */
export class WorkflowPage {
  items!: WorkflowSummary[];
  /** Workflows matching the filters, on every page. */
  total!: number;
  offset!: number;
  limit!: number;
}

export function emptyWorkflowMetrics(): WorkflowMetrics {
  return {
    totalDurationMs: null,
    agentDurationsMs: {},
    llmCalls: 0,
    llmTokens: 0,
    errorCount: 0,
    retryCount: 0,
  };
}

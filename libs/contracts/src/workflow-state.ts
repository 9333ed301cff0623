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
  /**
   * How many times each quality loop ran, by the id of its checking step (see `RevisionLoop`):
   * 1 when its check passed at once. Absent when the workflow type declares no loop.
   */
  iterations?: Record<string, number>;
}

/** Which run of a quality loop a step is in (see `StepState.iteration`). */
export class StepIteration {
  current!: number;
  max!: number;
}

/** One sub-step of a fan-out step: its agent's run for one work item. */
export class SubStepState {
  /** The work item's index, from 0 (the `item` of its agent_status events). */
  item!: number;
  lifecycle!: AgentLifecycle;
  /** Attempts started so far (1 for the first run). */
  attempts!: number;
  startedAt!: string | null;
  finishedAt!: string | null;
  error!: string | null;
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
  /** Language-model calls and tokens of the step's completed attempt, as its agent reported them. */
  llmCalls!: number;
  llmTokens!: number;
  /**
   * True when the step was not run in this workflow: it is a replay, and the step's output was
   * copied from the workflow it replays (see {@link WorkflowState.replayOf}).
   */
  isReused?: boolean;
  /**
   * Set on the steps of a quality loop sent back at least once (`revise`): the iteration they
   * are in, 2 for the first one run again, and the loop's bound.
   */
  iteration?: StepIteration;
  /** A fan-out step's sub-steps, in item order, once it has fanned out (`forEach`). */
  subSteps?: SubStepState[];
}

/** The workflow, and the step of it, that a replayed workflow was started from. */
export class WorkflowReplayOrigin {
  workflowId!: string;
  /** The first step the replay ran again; the steps it does not lead to kept their outputs. */
  fromStep!: string;
}

/** One workflow in a listing: what `GET /workflows` shows of it. */
export class WorkflowSummary {
  workflowId!: string;
  /** Its workflow type, such as CREATE_SITE. */
  type!: string;
  status!: WorkflowStatus;
  /** The tenant whose key started it. */
  tenantId!: string;
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
  /** Steps completed so far, of `totalSteps`. */
  completedSteps!: number;
  totalSteps!: number;
}

/** The live state of one workflow, kept in Redis and written to PostgreSQL when it ends. */
export class WorkflowState extends WorkflowSummary {
  /**
   * The id of the last event this state includes: pass it as `lastEventId` to
   * `workflow.subscribe` to get the events that follow, none missed and none twice.
   */
  lastEventId!: number;
  /** What the workflow works on, as it was started. */
  input!: Record<string, unknown>;
  preferences!: Record<string, unknown>;
  /**
   * The OpenTelemetry trace holding the workflow's start, every step and their language-model
   * calls; null when tracing was off when it started.
   */
  traceId!: string | null;
  steps!: StepState[];
  metrics!: WorkflowMetrics;
  /** Outputs of the workflow's final steps (those no other step depends on); null until it completes. */
  result!: Record<string, unknown> | null;
  /** Set on a workflow started by `POST /workflows/:id/replay`: what it replays. */
  replayOf?: WorkflowReplayOrigin;
}

/** A page of workflows, newest first (by creation time, then id). */
export class WorkflowPage {
  items!: WorkflowSummary[];
  /** Pass it as `cursor`, with the same filters, for the next page; null on the last page. */
  nextCursor!: string | null;
  limit!: number;
}

/**
 * The path of the site a workflow published (a `/sites/...` path under the gateway), read from its
 * result: the output of the step that deployed it. Null when it published none.
 */
export function publishedSitePath(result: Record<string, unknown> | null): string | null {
  for (const output of Object.values(result ?? {})) {
    const path = (output as { path?: unknown } | null)?.path;
    if (typeof path === 'string' && path.startsWith('/sites/')) return path;
  }
  return null;
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

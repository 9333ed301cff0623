import { AgentLifecycle, LogLevel, WorkflowStatus } from './workflow.enums';
import { WorkflowMetrics } from './workflow-state';

/** Names of the five events the server pushes to a workflow's room. */
export enum WorkflowEventType {
  Progress = 'progress',
  Log = 'log',
  AgentStatus = 'agent_status',
  Complete = 'complete',
  Error = 'error',
}

/** Fields every workflow event carries. */
export class WorkflowEventBase {
  workflowId!: string;
  /** Increases by one for each event of the same workflow, starting at 1. */
  eventId!: number;
  /** ISO-8601 time the event was recorded. */
  timestamp!: string;
}

/** How far a workflow has come: sent when its status changes and whenever a step finishes. */
export class ProgressEvent extends WorkflowEventBase {
  type!: WorkflowEventType.Progress;
  status!: WorkflowStatus;
  completedSteps!: number;
  totalSteps!: number;
  /** 0 to 100. */
  percent!: number;
}

/** A log line of the workflow or of one of its steps. */
export class LogEvent extends WorkflowEventBase {
  type!: WorkflowEventType.Log;
  level!: LogLevel;
  message!: string;
  /** The step that logged it; null for the workflow's own lines. */
  stepId!: string | null;
  agent!: string | null;
  metadata!: Record<string, unknown>;
  /** The id of this line in `GET /workflows/:id/logs`, which also holds it; null when it is not stored. */
  logId!: string | null;
}

/** A step's agent changed lifecycle: READY, EXECUTING, COMPLETED or FAILED (an attempt that will be retried too). */
export class AgentStatusEvent extends WorkflowEventBase {
  type!: WorkflowEventType.AgentStatus;
  stepId!: string;
  agent!: string;
  lifecycle!: AgentLifecycle;
  /** 1 for the first run of the step. */
  attempt!: number;
  /** Why the attempt failed, when it did. */
  error!: string | null;
  /** Set on a READY step that cannot run yet: why (see `StepState.waitingFor`). */
  waitingFor?: string;
  /**
   * Set on the events of one sub-step of a fan-out step (`forEach`): the index of its work item,
   * from 0. Events without it are about the step as a whole.
   */
  item?: number;
}

/** The workflow ended without an error: COMPLETED, or CANCELLED. Its last event. */
export class CompleteEvent extends WorkflowEventBase {
  type!: WorkflowEventType.Complete;
  status!: WorkflowStatus.Completed | WorkflowStatus.Cancelled;
  /** Outputs of the final steps; null for a cancelled workflow. */
  result!: Record<string, unknown> | null;
  metrics!: WorkflowMetrics;
}

/** The workflow FAILED: a step failed for good. Its last event, unless it is retried. */
export class ErrorEvent extends WorkflowEventBase {
  type!: WorkflowEventType.Error;
  status!: WorkflowStatus.Failed;
  message!: string;
  /** The step that failed, when one did. */
  stepId!: string | null;
  metrics!: WorkflowMetrics;
}

export type WorkflowEvent = ProgressEvent | LogEvent | AgentStatusEvent | CompleteEvent | ErrorEvent;

/** A workflow event before the store has numbered and dated it. */
export type NewWorkflowEvent = WorkflowEvent extends infer E
  ? E extends WorkflowEvent
    ? Omit<E, 'eventId' | 'timestamp' | 'workflowId'>
    : never
  : never;

/**
 * A piece of a language model's streamed answer, pushed live to the workflow's room as the
 * Socket.IO event `step.tokens`. It is not a workflow event: it is not numbered, kept in the event
 * log or sent again after a reconnect; the step's output, with the whole answer, is.
 */
export class StepTokensEvent {
  workflowId!: string;
  /** The step streaming; a fan-out's sub-step as `<stepId>#<index>`. */
  stepId!: string;
  /** 1 for the first piece of the step's attempt, then one more for each. */
  sequence!: number;
  /** The text the model added. */
  text!: string;
}

/** The Redis channel workers publish {@link StepTokensEvent}s on, for the gateways to relay. */
export function stepTokensChannel(redisPrefix: string): string {
  return `${redisPrefix}:step-tokens`;
}

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
export interface WorkflowEventBase {
  workflowId: string;
  /** Increases by one for each event of the same workflow, starting at 1. */
  eventId: number;
  /** ISO-8601 time the event was recorded. */
  timestamp: string;
}

export interface ProgressEvent extends WorkflowEventBase {
  type: WorkflowEventType.Progress;
  status: WorkflowStatus;
  completedSteps: number;
  totalSteps: number;
  /** 0 to 100. */
  percent: number;
}

export interface LogEvent extends WorkflowEventBase {
  type: WorkflowEventType.Log;
  level: LogLevel;
  message: string;
  stepId: string | null;
  agent: string | null;
  metadata: Record<string, unknown>;
}

export interface AgentStatusEvent extends WorkflowEventBase {
  type: WorkflowEventType.AgentStatus;
  stepId: string;
  agent: string;
  lifecycle: AgentLifecycle;
  attempt: number;
  error: string | null;
}

export interface CompleteEvent extends WorkflowEventBase {
  type: WorkflowEventType.Complete;
  status: WorkflowStatus.Completed | WorkflowStatus.Cancelled;
  result: Record<string, unknown> | null;
  metrics: WorkflowMetrics;
}

export interface ErrorEvent extends WorkflowEventBase {
  type: WorkflowEventType.Error;
  status: WorkflowStatus.Failed;
  message: string;
  stepId: string | null;
  metrics: WorkflowMetrics;
}

export type WorkflowEvent = ProgressEvent | LogEvent | AgentStatusEvent | CompleteEvent | ErrorEvent;

/** A workflow event before the store has numbered and dated it. */
export type NewWorkflowEvent = WorkflowEvent extends infer E
  ? E extends WorkflowEvent
    ? Omit<E, 'eventId' | 'timestamp' | 'workflowId'>
    : never
  : never;

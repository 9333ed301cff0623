import { BulkActionProgress } from './dto/bulk-action.response';
import { InputError } from './input-error';
import { StepTokensEvent, WorkflowEvent, WorkflowEventType } from './workflow-events';
import { WorkflowSummary } from './workflow-state';

/** Client → server Socket.IO events. */
export enum ClientSocketEvent {
  /** Starts a workflow; the ack carries its id, and the socket is subscribed to it. */
  Start = 'workflow.start',
  Subscribe = 'workflow.subscribe',
  Unsubscribe = 'workflow.unsubscribe',
  Cancel = 'workflow.cancel',
  /** Approves a waiting approval step (`DecideApprovalMessage`); the ack carries the workflow's status. */
  Approve = 'workflow.approve',
  /** Rejects a waiting approval step: the workflow ends FAILED. */
  Reject = 'workflow.reject',
  /** Pauses a workflow: no new step starts until `workflow.resume`. */
  Pause = 'workflow.pause',
  /** Resumes a PAUSED workflow: the steps it held are queued. */
  Resume = 'workflow.resume',
  /** Receive a `run` event whenever a workflow the caller may see starts, changes status or ends. */
  WatchRuns = 'runs.watch',
  UnwatchRuns = 'runs.unwatch',
  Ping = 'ping',
}

/** Server → client events besides the workflow events (which use their `type` as name). */
export enum ServerSocketEvent {
  Pong = 'pong',
  /** Emitted for a client message the server cannot act on; the connection stays open. */
  Error = 'error',
  /** A watched workflow's summary after a change of status (see `runs.watch`). */
  Run = 'run',
  /** A bulk action's progress, to the sockets of the API key that started it (`POST /workflows/bulk`). */
  BulkProgress = 'bulk.progress',
  /** A piece of a step's streamed model answer, to the workflow's room (`StepTokensEvent`). */
  StepTokens = 'step.tokens',
}

/**
 * The answer to an acknowledged client event. An `INVALID_INPUT` error lists every wrong field of
 * the workflow's input in `errors`.
 */
export type SocketAck<T> =
  ({ ok: true } & T) | { ok: false; error: { code: string; message: string; errors?: InputError[] } };

/** The room a workflow's events are pushed to. */
export function workflowRoom(workflowId: string): string {
  return `workflow:${workflowId}`;
}

/** The room of the sockets watching one tenant's runs, or every tenant's (`null`, admins only). */
export function runsRoom(tenantId: string | null): string {
  return tenantId === null ? 'runs' : `runs:${tenantId}`;
}

export type ServerToClientEvents = {
  [K in WorkflowEventType]: (event: Extract<WorkflowEvent, { type: K }>) => void;
} & {
  pong: (payload: { timestamp: string }) => void;
  run: (summary: WorkflowSummary) => void;
  'bulk.progress': (progress: BulkActionProgress) => void;
  'step.tokens': (event: StepTokensEvent) => void;
};

import { InputError } from './input-error';
import { WorkflowEvent, WorkflowEventType } from './workflow-events';

/** Client → server Socket.IO events. */
export enum ClientSocketEvent {
  /** Starts a workflow; the ack carries its id, and the socket is subscribed to it. */
  Start = 'workflow.start',
  Subscribe = 'workflow.subscribe',
  Unsubscribe = 'workflow.unsubscribe',
  Cancel = 'workflow.cancel',
  Ping = 'ping',
}

/** Server → client events besides the workflow events (which use their `type` as name). */
export enum ServerSocketEvent {
  Pong = 'pong',
  /** Emitted for a client message the server cannot act on; the connection stays open. */
  Error = 'error',
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

export type ServerToClientEvents = {
  [K in WorkflowEventType]: (event: Extract<WorkflowEvent, { type: K }>) => void;
} & {
  pong: (payload: { timestamp: string }) => void;
};

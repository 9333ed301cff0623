import { ApiProperty } from '@nestjs/swagger';
import { InputError, WorkflowStatus } from '@app/contracts';
import type { WorkflowEventsGateway } from '../realtime/workflow-events.gateway';
import type { SocketErrorCode } from '../realtime/socket-error';

/**
 * The answers of the Socket.IO handlers, one class per shape, for the AsyncAPI document (the
 * plugin reads classes, and `SocketAck<T>` in the contracts is a generic type). Checked below, at
 * compile time, against what the handlers of WorkflowEventsGateway are declared to return.
 */

/** Why the server could not act on a client message. */
export class SocketError {
  /** Stable: clients switch on it. */
  code!: SocketErrorCode;
  /** For a person, e.g. `workflow.subscribe: workflowId must be a UUID`. */
  message!: string;
  /** With `INVALID_INPUT`: every wrong field of the workflow's input. */
  errors?: InputError[];
}

/** The ack of a client message the server could not act on. */
export class SocketErrorAck {
  @ApiProperty({ type: 'boolean', enum: [false] })
  ok!: false;
  error!: SocketError;
}

/** The `error` event sent with every error ack (and for an unknown event sent without one). */
export class SocketErrorMessage {
  error!: SocketError;
}

/** `workflow.start` succeeded: the socket is subscribed to the workflow's events from its first. */
export class StartWorkflowAck {
  @ApiProperty({ type: 'boolean', enum: [true] })
  ok!: true;
  workflowId!: string;
}

/** `workflow.subscribe`, `.cancel`, `.approve`, `.reject`, `.pause` or `.resume` succeeded. */
export class WorkflowStatusAck {
  @ApiProperty({ type: 'boolean', enum: [true] })
  ok!: true;
  workflowId!: string;
  /** The workflow's status when the server answered. */
  status!: WorkflowStatus;
}

/** `workflow.unsubscribe` succeeded (also for a workflow the socket was not subscribed to). */
export class UnsubscribeWorkflowAck {
  @ApiProperty({ type: 'boolean', enum: [true] })
  ok!: true;
  workflowId!: string;
}

/** `runs.watch` succeeded: the socket now receives a `run` event for every change of a run it may see. */
export class WatchRunsAck {
  @ApiProperty({ type: 'boolean', enum: [true] })
  ok!: true;
  /** The tenant whose runs are watched; null when an admin watches every tenant. */
  @ApiProperty({ type: 'string', nullable: true })
  tenantId!: string | null;
}

/** `runs.unwatch` succeeded (also for a socket that was not watching). */
export class UnwatchRunsAck {
  @ApiProperty({ type: 'boolean', enum: [true] })
  ok!: true;
}

/** The ack of `ping`; a `pong` event carries the same time. */
export class PingAck {
  @ApiProperty({ type: 'boolean', enum: [true] })
  ok!: true;
  /** ISO-8601 time on the server. */
  timestamp!: string;
}

/** The `pong` event that answers `ping`. */
export class Pong {
  /** ISO-8601 time on the server. */
  timestamp!: string;
}

type IsSame<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AnswerOf<K extends keyof WorkflowEventsGateway> = WorkflowEventsGateway[K] extends (
  ...args: never[]
) => infer R
  ? Awaited<R>
  : never;

// What is documented is exactly what each handler declares (whose error code is typed as any string).
type DeclaredFailure = { ok: false; error: Omit<SocketError, 'code'> & { code: string } };
type DeclaredStatusAck = Omit<WorkflowStatusAck, 'status'> & { status: string };
const _start: IsSame<AnswerOf<'start'>, StartWorkflowAck | DeclaredFailure> = true;
const _subscribe: IsSame<AnswerOf<'subscribe'>, DeclaredStatusAck | DeclaredFailure> = true;
const _unsubscribe: IsSame<AnswerOf<'unsubscribe'>, UnsubscribeWorkflowAck | DeclaredFailure> = true;
const _cancel: IsSame<AnswerOf<'cancel'>, DeclaredStatusAck | DeclaredFailure> = true;
const _approve: IsSame<AnswerOf<'approveStep'>, DeclaredStatusAck | DeclaredFailure> = true;
const _reject: IsSame<AnswerOf<'rejectStep'>, DeclaredStatusAck | DeclaredFailure> = true;
const _pause: IsSame<AnswerOf<'pause'>, DeclaredStatusAck | DeclaredFailure> = true;
const _resume: IsSame<AnswerOf<'resume'>, DeclaredStatusAck | DeclaredFailure> = true;
const _watchRuns: IsSame<AnswerOf<'watchRuns'>, WatchRunsAck | DeclaredFailure> = true;
const _unwatchRuns: IsSame<AnswerOf<'unwatchRuns'>, UnwatchRunsAck | DeclaredFailure> = true;
const _ping: IsSame<AnswerOf<'ping'>, PingAck | DeclaredFailure> = true;

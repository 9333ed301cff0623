import {
  ClientSocketEvent,
  SocketAck,
  SocketConnectRefusal,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowStatus,
  isTerminalStatus,
} from '@app/contracts';
import { Socket, io } from 'socket.io-client';
import { CliError, ExitCode } from './cli-error';
import { Connection } from './cli.config';

export interface StreamHandlers {
  onEvent(event: WorkflowEvent): void;
  /** The connection dropped (true) or came back and caught up (false). */
  onConnectionChange?(isReconnecting: boolean): void;
}

/**
 * A workflow's events over Socket.IO, each once and in order. It subscribes with the last event
 * it has seen, so after a dropped connection (a gateway restart) the gateway sends what was
 * missed before the live events. Resolves with the workflow's terminal event.
 */
export class WorkflowEventStream {
  private socket: Socket | null = null;
  private lastEventId = 0;

  /**
   * `endsFrom`: the first event id whose end event ends the stream; a retried workflow's history
   * holds the end of its earlier run (see {@link endsFrom}).
   */
  constructor(
    private readonly connection: Connection,
    private readonly workflowId: string,
    private readonly endsFrom = 0,
    /** How long the gateway may stay unreachable before the stream gives up. */
    private readonly unreachableForMs = 120_000,
  ) {}

  follow(handlers: StreamHandlers): Promise<WorkflowEvent> {
    return new Promise((resolve, reject) => {
      const socket = io(this.connection.url, {
        transports: ['websocket'],
        auth: { token: this.connection.key },
        reconnectionDelayMax: 2_000,
      });
      this.socket = socket;
      const fail = (error: CliError) => {
        this.close();
        reject(error);
      };
      const receive = (event: WorkflowEvent) => {
        if (event.workflowId !== this.workflowId || event.eventId <= this.lastEventId) return;
        this.lastEventId = event.eventId;
        handlers.onEvent(event);
        if (isEnd(event) && event.eventId >= this.endsFrom) {
          this.close();
          resolve(event);
        }
      };
      for (const type of Object.values(WorkflowEventType)) socket.on(type, receive);
      let isReconnecting = false;
      let unreachableSince: number | null = null;
      const connectionLost = () => {
        if (isReconnecting) return;
        isReconnecting = true;
        handlers.onConnectionChange?.(true);
      };
      socket.on('connect', () => {
        unreachableSince = null;
        socket
          .timeout(15_000)
          .emitWithAck(ClientSocketEvent.Subscribe, {
            workflowId: this.workflowId,
            lastEventId: this.lastEventId,
          })
          .then((ack: SocketAck<{ status: string }>) => {
            if (!this.socket) return;
            if (!ack.ok) {
              const code = ack.error.code === 'NOT_FOUND' ? ExitCode.NotFound : ExitCode.GatewayError;
              fail(new CliError(`${ack.error.message}`, code));
            } else if (isReconnecting) {
              isReconnecting = false;
              handlers.onConnectionChange?.(false);
            }
          })
          // No answer: the connection is going away again; the next connect subscribes anew.
          .catch(() => undefined);
      });
      socket.on('disconnect', (reason) => {
        if (!this.socket) return;
        connectionLost();
        // The server closed this socket on purpose (a shutdown): Socket.IO does not retry by itself.
        if (reason === 'io server disconnect') setTimeout(() => this.socket?.connect(), 1_000);
      });
      socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
        const refusal = error.data?.code;
        if (refusal === SocketConnectRefusal.Unauthorized) {
          fail(new CliError('the gateway refused the API key', ExitCode.Unauthorized));
          return;
        }
        // The gateway answered this command over HTTP a moment ago, so a failed connection is a
        // restart (or a replica going away) more often than a wrong address: keep trying, and say
        // so, for a while before giving up.
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince > this.unreachableForMs) {
          fail(
            new CliError(
              `cannot reach the gateway at ${this.connection.url} (${error.message})`,
              ExitCode.Unreachable,
            ),
          );
          return;
        }
        connectionLost();
        // Socket.IO does not retry a refused connection (a gateway shutting down) by itself.
        if (refusal === SocketConnectRefusal.ShuttingDown) setTimeout(() => this.socket?.connect(), 1_000);
      });
    });
  }

  close(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }
}

/** The last event of a workflow: complete, or an error that ends it (FAILED). */
export function isEnd(event: WorkflowEvent): boolean {
  if (event.type === WorkflowEventType.Complete) return true;
  return event.type === WorkflowEventType.Error && isTerminalStatus(event.status ?? WorkflowStatus.Failed);
}

/**
 * From which event id an end counts, given the history so far: the last end event, unless a
 * later progress event shows the workflow running again (it was retried); then only a later one.
 */
export function endsFrom(history: WorkflowEvent[]): number {
  const lastEnd = history.findLast(isEnd);
  if (!lastEnd) return 0;
  const isRunningAgain = history.some(
    (event) =>
      event.eventId > lastEnd.eventId &&
      event.type === WorkflowEventType.Progress &&
      !isTerminalStatus(event.status),
  );
  return isRunningAgain ? lastEnd.eventId + 1 : lastEnd.eventId;
}

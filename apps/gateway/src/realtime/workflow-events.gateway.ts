import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import {
  ClientSocketEvent,
  ServerSocketEvent,
  SocketAck,
  SubscribeWorkflowMessage,
  workflowRoom,
} from '@app/contracts';
import { WorkflowStore } from '@app/workflow-store';
import { Socket } from 'socket.io';
import { validateSocketPayload } from './socket-payload.validation';
import { WorkflowEventRelay } from './workflow-event-relay.service';

const KNOWN_EVENTS = new Set<string>(Object.values(ClientSocketEvent));

type SubscribeAck = SocketAck<{ workflowId: string; status: string }>;

/**
 * Socket.IO on the gateway's port. Clients subscribe to workflows and receive their events; a
 * message the server cannot act on is answered with an `error` event (and an error ack).
 */
@WebSocketGateway({ cors: { origin: true } })
export class WorkflowEventsGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(WorkflowEventsGateway.name);

  constructor(
    private readonly relay: WorkflowEventRelay,
    private readonly store: WorkflowStore,
  ) {}

  handleConnection(socket: Socket): void {
    socket.onAny((event: string, ...args: unknown[]) => {
      if (KNOWN_EVENTS.has(event)) return;
      this.reject(
        socket,
        args,
        'UNKNOWN_EVENT',
        `unknown event "${event}"; known events: ${[...KNOWN_EVENTS].join(', ')}`,
      );
    });
  }

  handleDisconnect(socket: Socket): void {
    this.relay.forget(socket);
  }

  @SubscribeMessage(ClientSocketEvent.Subscribe)
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() payload: unknown): Promise<SubscribeAck> {
    const parsed = validateSocketPayload(SubscribeWorkflowMessage, payload);
    if (!parsed.ok)
      return this.fail(socket, 'INVALID_PAYLOAD', `${ClientSocketEvent.Subscribe}: ${parsed.message}`);
    const { workflowId, lastEventId } = parsed.value;
    const state = await this.store.get(workflowId);
    if (!state) return this.fail(socket, 'NOT_FOUND', `workflow ${workflowId} does not exist`);
    await socket.join(workflowRoom(workflowId));
    await this.relay.subscribe(socket, workflowId, lastEventId ?? 0);
    return { ok: true, workflowId, status: state.status };
  }

  @SubscribeMessage(ClientSocketEvent.Unsubscribe)
  async unsubscribe(
    @ConnectedSocket() socket: Socket,
    @MessageBody() payload: unknown,
  ): Promise<SocketAck<{ workflowId: string }>> {
    const parsed = validateSocketPayload(SubscribeWorkflowMessage, payload);
    if (!parsed.ok)
      return this.fail(socket, 'INVALID_PAYLOAD', `${ClientSocketEvent.Unsubscribe}: ${parsed.message}`);
    this.relay.unsubscribe(socket, parsed.value.workflowId);
    await socket.leave(workflowRoom(parsed.value.workflowId));
    return { ok: true, workflowId: parsed.value.workflowId };
  }

  @SubscribeMessage(ClientSocketEvent.Ping)
  ping(@ConnectedSocket() socket: Socket): { timestamp: string } {
    const answer = { timestamp: new Date().toISOString() };
    socket.emit(ServerSocketEvent.Pong, answer);
    return answer;
  }

  private fail(
    socket: Socket,
    code: string,
    message: string,
  ): { ok: false; error: { code: string; message: string } } {
    this.logger.warn(`socket ${socket.id}: ${code}: ${message}`);
    const error = { code, message };
    socket.emit(ServerSocketEvent.Error, { error });
    return { ok: false, error };
  }

  /** For an unknown event: error event, and error ack if the client asked for one. */
  private reject(socket: Socket, args: unknown[], code: string, message: string): void {
    const answer = this.fail(socket, code, message);
    const ack = args.at(-1);
    if (typeof ack === 'function') (ack as (response: unknown) => void)(answer);
  }
}

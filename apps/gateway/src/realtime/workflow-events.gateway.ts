import { ForbiddenException, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import {
  ClientSocketEvent,
  DecideApprovalMessage,
  InputError,
  runsRoom,
  ServerSocketEvent,
  SocketAck,
  SocketConnectRefusal,
  StartWorkflowMessage,
  SubscribeWorkflowMessage,
  WatchRunsMessage,
  WorkflowIdMessage,
  WorkflowState,
} from '@app/contracts';
import { Subscription } from 'rxjs';
import { Server, Socket } from 'socket.io';
import { bearerKey } from '../auth/api-key.guard';
import { ApiKeysService } from '../auth/api-keys.service';
import { Caller } from '../auth/caller';
import { WorkflowControl } from '../workflows/workflow-control.service';
import { WorkflowsService } from '../workflows/workflows.service';
import { SocketErrorCode, socketErrorOf } from './socket-error';
import { SocketMetrics } from './socket.metrics';
import { SocketRateLimiter } from './socket-rate-limiter.service';
import { validateSocketPayload } from './socket-payload.validation';
import { WorkflowEventRelay } from './workflow-event-relay.service';
import { WorkflowRunsFeed } from './workflow-runs-feed.service';

const KNOWN_EVENTS = new Set<string>(Object.values(ClientSocketEvent));

type ErrorAck = { ok: false; error: { code: string; message: string; errors?: InputError[] } };
/** The ack of a message that changes one workflow: its status afterwards. */
type StatusAck = SocketAck<{ workflowId: string; status: string }>;

/** A refused connection: the client's `connect_error` carries `code` in its `data`. */
function refusal(code: SocketConnectRefusal, message: string): Error {
  return Object.assign(new Error(message), { data: { code } });
}

/** The room of every socket holding one API key, so revoking the key closes them on every replica. */
export function apiKeyRoom(keyId: string): string {
  return `api-key:${keyId}`;
}

/**
 * Socket.IO on the gateway's port. A connection needs an API key (`auth.token` in the
 * handshake); a client then starts, subscribes to, and cancels workflows of its own tenant and
 * receives their events. A message the server cannot act on is answered with an `error` event
 * and an error ack; the connection stays open.
 */
@WebSocketGateway()
export class WorkflowEventsGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleInit, OnModuleDestroy
{
  private readonly logger = new Logger(WorkflowEventsGateway.name);
  private revocations?: Subscription;
  private isShuttingDown = false;

  @WebSocketServer() private readonly server!: Server;

  constructor(
    private readonly relay: WorkflowEventRelay,
    private readonly workflows: WorkflowsService,
    private readonly keys: ApiKeysService,
    private readonly rateLimiter: SocketRateLimiter,
    private readonly runsFeed: WorkflowRunsFeed,
    private readonly metrics: SocketMetrics,
    private readonly control: WorkflowControl,
  ) {}

  onModuleInit(): void {
    this.revocations = this.keys.revoked$.subscribe((keyId) => {
      this.server?.in(apiKeyRoom(keyId)).disconnectSockets(true);
    });
  }

  /**
   * The first step of a shutdown: this replica's sockets are closed at once and new ones refused,
   * so clients learn of it while the rest drains and move to another replica (or wait for this
   * one's restart), catching up there from their last event id.
   */
  onModuleDestroy(): void {
    this.revocations?.unsubscribe();
    this.isShuttingDown = true;
    this.server?.local.disconnectSockets(true);
  }

  afterInit(server: Server): void {
    this.runsFeed.attach(server);
    server.use((socket, next) => {
      if (this.isShuttingDown) {
        return next(
          refusal(SocketConnectRefusal.ShuttingDown, 'this gateway is shutting down: connect again'),
        );
      }
      this.authenticate(socket).then(
        (caller) => {
          if (caller) {
            socket.data.caller = caller;
            return next();
          }
          next(
            refusal(
              SocketConnectRefusal.Unauthorized,
              'a valid API key is required: connect with auth: { token: <key> }',
            ),
          );
        },
        (error: unknown) => {
          this.logger.error(`could not authenticate socket ${socket.id}: ${String(error)}`);
          next(refusal(SocketConnectRefusal.Internal, 'internal error'));
        },
      );
    });
  }

  async handleConnection(socket: Socket): Promise<void> {
    this.metrics.socketConnected();
    // Every event draws on the key's rate limit before it is handled (an unknown one too).
    socket.use(([, ...args], next) => {
      this.rateLimiter.take(this.callerOf(socket).keyId).then(
        (retryAfterSeconds) => {
          if (retryAfterSeconds === null) return next();
          this.reject(socket, args, 'RATE_LIMITED', `too many requests: retry after ${retryAfterSeconds} s`);
        },
        (error: unknown) => {
          // Redis away: serve rather than refuse; the handlers will report their own failures.
          this.logger.error(`socket rate limit unavailable: ${String(error)}`);
          next();
        },
      );
    });
    socket.onAny((event: string, ...args: unknown[]) => {
      if (KNOWN_EVENTS.has(event)) return;
      this.reject(
        socket,
        args,
        'UNKNOWN_EVENT',
        `unknown event "${String(event).slice(0, 100)}"; known events: ${[...KNOWN_EVENTS].join(', ')}`,
      );
    });
    await socket.join(apiKeyRoom(this.callerOf(socket).keyId));
  }

  handleDisconnect(socket: Socket): void {
    this.metrics.socketDisconnected();
    this.relay.forget(socket);
  }

  @SubscribeMessage(ClientSocketEvent.Start)
  start(
    @ConnectedSocket() socket: Socket,
    @MessageBody() payload: unknown,
  ): Promise<SocketAck<{ workflowId: string }> | ErrorAck> {
    return this.handle(socket, ClientSocketEvent.Start, StartWorkflowMessage, payload, async (message) => {
      const { idempotencyKey, ...request } = message;
      const { workflowId } = await this.workflows.start(request, this.callerOf(socket), idempotencyKey);
      await this.relay.subscribe(socket, workflowId);
      return { ok: true, workflowId };
    });
  }

  @SubscribeMessage(ClientSocketEvent.Subscribe)
  subscribe(
    @ConnectedSocket() socket: Socket,
    @MessageBody() payload: unknown,
  ): Promise<SocketAck<{ workflowId: string; status: string }> | ErrorAck> {
    return this.handle(
      socket,
      ClientSocketEvent.Subscribe,
      SubscribeWorkflowMessage,
      payload,
      async ({ workflowId, lastEventId }) => {
        // Throws NOT_FOUND for another tenant's workflow: a client only joins its own tenant's rooms.
        const state = await this.workflows.get(workflowId, this.callerOf(socket));
        await this.relay.subscribe(socket, workflowId, lastEventId ?? 0);
        return { ok: true, workflowId, status: state.status };
      },
    );
  }

  @SubscribeMessage(ClientSocketEvent.Unsubscribe)
  unsubscribe(
    @ConnectedSocket() socket: Socket,
    @MessageBody() payload: unknown,
  ): Promise<SocketAck<{ workflowId: string }> | ErrorAck> {
    return this.handle(
      socket,
      ClientSocketEvent.Unsubscribe,
      SubscribeWorkflowMessage,
      payload,
      async ({ workflowId }) => {
        await this.relay.unsubscribe(socket, workflowId);
        return { ok: true, workflowId };
      },
    );
  }

  @SubscribeMessage(ClientSocketEvent.Cancel)
  cancel(@ConnectedSocket() socket: Socket, @MessageBody() payload: unknown): Promise<StatusAck | ErrorAck> {
    return this.changeStatus(
      socket,
      ClientSocketEvent.Cancel,
      WorkflowIdMessage,
      payload,
      ({ workflowId }, caller) => this.workflows.cancel(workflowId, caller),
    );
  }

  @SubscribeMessage(ClientSocketEvent.Approve)
  approveStep(
    @ConnectedSocket() socket: Socket,
    @MessageBody() payload: unknown,
  ): Promise<StatusAck | ErrorAck> {
    return this.changeStatus(
      socket,
      ClientSocketEvent.Approve,
      DecideApprovalMessage,
      payload,
      ({ workflowId, stepId, ...decision }, caller) =>
        this.control.approve(workflowId, stepId, decision, caller),
    );
  }

  @SubscribeMessage(ClientSocketEvent.Reject)
  rejectStep(
    @ConnectedSocket() socket: Socket,
    @MessageBody() payload: unknown,
  ): Promise<StatusAck | ErrorAck> {
    return this.changeStatus(
      socket,
      ClientSocketEvent.Reject,
      DecideApprovalMessage,
      payload,
      ({ workflowId, stepId, ...decision }, caller) =>
        this.control.reject(workflowId, stepId, decision, caller),
    );
  }

  @SubscribeMessage(ClientSocketEvent.Pause)
  pause(@ConnectedSocket() socket: Socket, @MessageBody() payload: unknown): Promise<StatusAck | ErrorAck> {
    return this.changeStatus(
      socket,
      ClientSocketEvent.Pause,
      WorkflowIdMessage,
      payload,
      ({ workflowId }, caller) => this.control.pause(workflowId, caller),
    );
  }

  @SubscribeMessage(ClientSocketEvent.Resume)
  resume(@ConnectedSocket() socket: Socket, @MessageBody() payload: unknown): Promise<StatusAck | ErrorAck> {
    return this.changeStatus(
      socket,
      ClientSocketEvent.Resume,
      WorkflowIdMessage,
      payload,
      ({ workflowId }, caller) => this.control.resume(workflowId, caller),
    );
  }

  @SubscribeMessage(ClientSocketEvent.WatchRuns)
  watchRuns(
    @ConnectedSocket() socket: Socket,
    @MessageBody() payload: unknown,
  ): Promise<SocketAck<{ tenantId: string | null }> | ErrorAck> {
    return this.handle(
      socket,
      ClientSocketEvent.WatchRuns,
      WatchRunsMessage,
      payload ?? {},
      async (message) => {
        const tenantId = this.watchedTenant(this.callerOf(socket), message.tenantId);
        await this.leaveRunsRooms(socket);
        await socket.join(runsRoom(tenantId));
        return { ok: true, tenantId };
      },
    );
  }

  @SubscribeMessage(ClientSocketEvent.UnwatchRuns)
  unwatchRuns(@ConnectedSocket() socket: Socket): Promise<SocketAck<object>> {
    return this.leaveRunsRooms(socket).then(() => ({ ok: true }));
  }

  @SubscribeMessage(ClientSocketEvent.Ping)
  ping(@ConnectedSocket() socket: Socket): SocketAck<{ timestamp: string }> {
    const answer = { timestamp: new Date().toISOString() };
    socket.emit(ServerSocketEvent.Pong, answer);
    return { ok: true, ...answer };
  }

  private async authenticate(socket: Socket): Promise<Caller | null> {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const key =
      typeof auth?.token === 'string' && auth.token.length <= 512
        ? auth.token
        : bearerKey(socket.handshake.headers.authorization);
    return key ? this.keys.authenticate(key) : null;
  }

  /** A client key watches its own tenant; an admin every tenant, or the one it names. */
  private watchedTenant(caller: Caller, tenantId: string | undefined): string | null {
    if (caller.role === 'admin') return tenantId ?? null;
    if (tenantId !== undefined && tenantId !== caller.tenantId) {
      throw new ForbiddenException('a client key watches only the runs of its own tenant');
    }
    return caller.tenantId;
  }

  private async leaveRunsRooms(socket: Socket): Promise<void> {
    for (const room of [...socket.rooms])
      if (room === runsRoom(null) || room.startsWith(runsRoom(''))) await socket.leave(room);
  }

  private callerOf(socket: Socket): Caller {
    return socket.data.caller as Caller;
  }

  /** `handle` for a message that acts on one workflow, acked with the status it leaves it in. */
  private changeStatus<T extends { workflowId: string }>(
    socket: Socket,
    event: ClientSocketEvent,
    type: new () => T,
    payload: unknown,
    act: (message: T, caller: Caller) => Promise<WorkflowState>,
  ): Promise<StatusAck | ErrorAck> {
    return this.handle(socket, event, type, payload, async (message) => {
      const state = await act(message, this.callerOf(socket));
      return { ok: true as const, workflowId: message.workflowId, status: state.status };
    });
  }

  /** Validates the payload, runs the action, and turns any failure into an error ack. */
  private async handle<T extends object, R>(
    socket: Socket,
    event: ClientSocketEvent,
    type: new () => T,
    payload: unknown,
    action: (message: T) => Promise<R>,
  ): Promise<R | ErrorAck> {
    const parsed = validateSocketPayload(type, payload);
    if (!parsed.ok) return this.fail(socket, 'INVALID_PAYLOAD', `${event}: ${parsed.message}`);
    try {
      return await action(parsed.value);
    } catch (error) {
      const { code, message, errors, isInternal } = socketErrorOf(error);
      if (isInternal)
        this.logger.error(`${event} failed: ${error instanceof Error ? error.stack : String(error)}`);
      return this.fail(socket, code, message, errors);
    }
  }

  private fail(socket: Socket, code: SocketErrorCode, message: string, errors?: InputError[]): ErrorAck {
    this.logger.warn(`socket ${socket.id}: ${code}: ${message}`);
    const error = { code, message, ...(errors && { errors }) };
    socket.emit(ServerSocketEvent.Error, { error });
    return { ok: false, error };
  }

  /** For an unknown event: error event, and error ack if the client asked for one. */
  private reject(socket: Socket, args: unknown[], code: SocketErrorCode, message: string): void {
    const answer = this.fail(socket, code, message);
    const ack = args.at(-1);
    if (typeof ack === 'function') (ack as (response: unknown) => void)(answer);
  }
}

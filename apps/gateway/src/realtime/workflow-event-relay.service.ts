import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { GatewayConfig } from '@app/config';
import { WorkflowEvent, WorkflowEventType, workflowRoom } from '@app/contracts';
import { createRedisConnection, RedisClient } from '@app/redis';
import { isTracingRequested } from '@app/observability/tracing';
import {
  WorkflowStore,
  contextOfTraceParent,
  eventMessageWorkflowId,
  parseEventMessage,
  subscribeToWorkflowEvents,
} from '@app/workflow-store';
import { Link, trace } from '@opentelemetry/api';
import { Socket } from 'socket.io';
import { SocketMetrics } from './socket.metrics';

/** Where one socket is in one workflow's event sequence. */
interface Cursor {
  socket: Socket;
  workflowId: string;
  lastEventId: number;
  isCatchingUp: boolean;
  /** Live events that arrived while the cursor was reading the log. */
  pending: WorkflowEvent[];
}

/**
 * Pushes each workflow's events to the sockets subscribed to it, in event-id order with no gap
 * and no duplicate. Every gateway replica receives every event from Redis pub/sub and serves its
 * own sockets; a socket that subscribes late, reconnects with `lastEventId`, or sees a gap (a
 * message lost while Redis reconnected) reads the missing events from the workflow's event log.
 */
@Injectable()
export class WorkflowEventRelay implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(WorkflowEventRelay.name);
  private readonly cursors = new Map<string, Map<string, Cursor>>();
  private subscriber!: RedisClient;
  /**
   * With tracing on, each relayed message gets a span that links to its workflow's trace (a link,
   * not a child: one workflow fans out to many sockets and gateways). The link of each workflow
   * watched here, read once.
   */
  private readonly isTraced = isTracingRequested(process.env);
  private readonly traceLinks = new Map<string, Promise<Link[]>>();
  private readonly tracer = trace.getTracer('gateway-event-relay');

  constructor(
    private readonly store: WorkflowStore,
    private readonly config: GatewayConfig,
    private readonly metrics: SocketMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    this.subscriber = createRedisConnection(
      this.config.REDIS_URL,
      `${this.config.REDIS_PREFIX}-gateway-events`,
    );
    await subscribeToWorkflowEvents(this.subscriber, this.store.eventsChannels, (message) =>
      this.receive(message),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber.disconnect());
  }

  /**
   * Puts the socket in the workflow's room (its step tokens go there) and sends it the workflow's
   * events after `lastEventId` (all, by default), then the live ones.
   */
  async subscribe(socket: Socket, workflowId: string, lastEventId = 0): Promise<void> {
    // A socket that left while its subscription was being checked must not leave a cursor behind.
    if (socket.disconnected) return;
    await socket.join(workflowRoom(workflowId));
    const sockets = this.cursors.get(workflowId) ?? new Map<string, Cursor>();
    this.cursors.set(workflowId, sockets);
    if (this.isTraced && !this.traceLinks.has(workflowId)) {
      this.traceLinks.set(workflowId, this.linksOf(workflowId));
    }
    const cursor: Cursor = { socket, workflowId, lastEventId, isCatchingUp: false, pending: [] };
    if (!sockets.has(socket.id)) this.metrics.subscriptionOpened();
    sockets.set(socket.id, cursor);
    await this.catchUp(cursor);
  }

  /** Ends a socket's subscription: its cursor, and its place in the workflow's room. */
  async unsubscribe(socket: Socket, workflowId: string): Promise<void> {
    this.dropCursor(socket, workflowId);
    await socket.leave(workflowRoom(workflowId));
  }

  /** Forgets a disconnected socket everywhere (Socket.IO has taken it out of its rooms). */
  forget(socket: Socket): void {
    for (const workflowId of [...this.cursors.keys()]) this.dropCursor(socket, workflowId);
  }

  private dropCursor(socket: Socket, workflowId: string): void {
    const sockets = this.cursors.get(workflowId);
    if (sockets?.delete(socket.id)) this.metrics.subscriptionClosed();
    if (sockets?.size === 0) {
      this.cursors.delete(workflowId);
      this.traceLinks.delete(workflowId);
    }
  }

  /**
   * One message holds one transition's events, all of one workflow, in order. Every gateway hears
   * every workflow's messages; one nobody here watches is dropped before it is parsed.
   */
  private receive(message: string): void {
    const sockets = this.cursors.get(eventMessageWorkflowId(message));
    if (!sockets) return;
    let events: WorkflowEvent[];
    try {
      events = parseEventMessage(message);
    } catch {
      this.logger.error(`ignored an unreadable event message: ${message.slice(0, 200)}`);
      return;
    }
    if (this.isTraced) void this.traceRelay(eventMessageWorkflowId(message), events.length, sockets.size);
    for (const cursor of sockets.values()) for (const event of events) this.deliver(cursor, event);
  }

  private async linksOf(workflowId: string): Promise<Link[]> {
    const parent = trace.getSpanContext(
      contextOfTraceParent(await this.store.traceParent(workflowId).catch(() => undefined)),
    );
    return parent ? [{ context: parent }] : [];
  }

  /** A span for one relayed message, linked to the trace of the workflow it belongs to. */
  private async traceRelay(workflowId: string, events: number, sockets: number): Promise<void> {
    const links = (await this.traceLinks.get(workflowId)) ?? [];
    this.tracer
      .startSpan('relay workflow events', {
        root: true,
        links,
        attributes: { 'ao.workflow.id': workflowId, 'ao.events': events, 'ao.sockets': sockets },
      })
      .end();
  }

  private deliver(cursor: Cursor, event: WorkflowEvent): void {
    if (cursor.isCatchingUp) {
      cursor.pending.push(event);
    } else if (event.eventId === cursor.lastEventId + 1) {
      this.emit(cursor, event);
    } else if (event.eventId > cursor.lastEventId + 1) {
      cursor.pending.push(event);
      void this.catchUp(cursor);
    }
  }

  private async catchUp(cursor: Cursor): Promise<void> {
    if (cursor.isCatchingUp) return;
    cursor.isCatchingUp = true;
    try {
      const missed = await this.store.eventsAfter(cursor.workflowId, cursor.lastEventId);
      // Older events may have been trimmed from the bounded log: start from the oldest kept.
      for (const event of missed) if (event.eventId > cursor.lastEventId) this.emit(cursor, event);
      const pending = cursor.pending.sort((a, b) => a.eventId - b.eventId);
      cursor.pending = [];
      for (const event of pending) if (event.eventId > cursor.lastEventId) this.emit(cursor, event);
    } catch (error) {
      this.logger.error(`could not replay events of workflow ${cursor.workflowId}: ${String(error)}`);
    } finally {
      cursor.isCatchingUp = false;
    }
  }

  private emit(cursor: Cursor, event: WorkflowEvent): void {
    cursor.socket.emit(event.type, event);
    cursor.lastEventId = event.eventId;
    this.metrics.eventDelivered(event.type);
    if (event.type === WorkflowEventType.Complete) this.release(cursor);
  }

  /**
   * Ends a socket's subscription to a workflow that sent its last event (`complete`: COMPLETED or
   * CANCELLED, which never change again), leaving its room too. Kept, a connection that drives
   * workflow after workflow held every one it ever started until it disconnected (6,000 in a
   * 10-minute soak). A FAILED workflow's `error` is not its last event if it is retried
   * (`POST /workflows/:id/retry`), so its subscribers stay until they unsubscribe or disconnect.
   */
  private release(cursor: Cursor): void {
    const { socket, workflowId } = cursor;
    // Subscribed again meanwhile: that newer subscription stays.
    if (this.cursors.get(workflowId)?.get(socket.id) !== cursor) return;
    this.unsubscribe(socket, workflowId).catch((error: unknown) =>
      this.logger.warn(
        `socket ${socket.id} could not leave the room of workflow ${workflowId}: ${String(error)}`,
      ),
    );
  }
}

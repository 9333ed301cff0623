import { randomUUID } from 'node:crypto';
import {
  ClientSocketEvent,
  CompleteEvent,
  ErrorEvent,
  SocketAck,
  StartWorkflowMessage,
  WorkflowEventType,
  WorkflowMetrics,
  WorkflowStatus,
  WorkflowType,
} from '@app/contracts';
import { Socket, io } from 'socket.io-client';
import { TEST_ADMIN_KEY } from '../../test/support/test-environment';

/** What people ask the website builder for; the load cycles through them. */
const SITE_REQUESTS: readonly string[] = [
  'Create a portfolio website for a wildlife photographer, dark theme',
  'Create a website for a family bakery in Lyon with our opening hours and a menu',
  'Make a blog about sourdough baking with a friendly tone',
  'A landing page for the Harbour Jazz Festival on 14 June 2025 in Bristol',
  'Create a website for a family plumbing business in Leeds with a FAQ page',
  "Build a website for Luigi's, an Italian trattoria in Naples, with green accents",
  'My personal website: I am a software engineer who loves hiking',
  'A site for a yoga studio in Brighton with class times and prices, calm colours',
];

const ACK_TIMEOUT_MS = 60_000;
/** Far beyond any latency the bench expects (tens of seconds at 50 in flight): a workflow past it is lost. */
const WORKFLOW_TIMEOUT_MS = 300_000;

/** One workflow as the client saw it. Times are `performance.now()` in this process. */
export interface WorkflowOutcome {
  workflowId: string | null;
  request: string;
  /** When `workflow.start` was sent. */
  sentAt: number;
  /** When its ack arrived (NaN if none did). */
  ackAt: number;
  /** When the terminal event (`complete` or `error`) arrived, or the client gave up. */
  finishedAt: number;
  isCompleted: boolean;
  /** Why it did not complete; null when it did. */
  failure: string | null;
  /** The workflow's figures from its terminal event. */
  metrics: WorkflowMetrics | null;
}

type TerminalEvent = CompleteEvent | ErrorEvent;

/** One client connection: starts workflows and hears their terminal events. */
class SiteClient {
  private readonly waiters = new Map<string, (event: TerminalEvent | Error) => void>();
  /** Terminal events that arrived before their start's ack (the gateway replays before it acks). */
  private readonly early = new Map<string, TerminalEvent>();

  constructor(private readonly socket: Socket) {
    const onTerminal = (event: TerminalEvent) => {
      // `error` also carries protocol errors, which have no workflow id.
      if (!event.workflowId) return;
      const waiter = this.waiters.get(event.workflowId);
      if (waiter) waiter(event);
      else this.early.set(event.workflowId, event);
    };
    socket.on(WorkflowEventType.Complete, onTerminal);
    socket.on(WorkflowEventType.Error, onTerminal);
    socket.on('disconnect', (reason) => {
      for (const waiter of this.waiters.values()) waiter(new Error(`socket disconnected: ${reason}`));
    });
  }

  static async connect({ gatewayUrl }: { gatewayUrl: string }): Promise<SiteClient> {
    const socket = io(gatewayUrl, {
      transports: ['websocket'],
      reconnection: false,
      auth: { token: TEST_ADMIN_KEY },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return new SiteClient(socket);
  }

  async runOne({ request, sessionId }: { request: string; sessionId: string }): Promise<WorkflowOutcome> {
    const outcome: WorkflowOutcome = {
      workflowId: null,
      request,
      sentAt: performance.now(),
      ackAt: NaN,
      finishedAt: NaN,
      isCompleted: false,
      failure: null,
      metrics: null,
    };
    try {
      const message: StartWorkflowMessage = { type: WorkflowType.CreateSite, input: { request }, sessionId };
      const ack = (await this.socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck(ClientSocketEvent.Start, message)) as SocketAck<{ workflowId: string }>;
      outcome.ackAt = performance.now();
      if (!ack.ok) throw new Error(`start refused: ${ack.error.code}: ${ack.error.message}`);
      outcome.workflowId = ack.workflowId;
      const event = await this.terminalEvent(ack.workflowId);
      outcome.metrics = event.metrics;
      if (event.type === WorkflowEventType.Error)
        throw new Error(`failed at ${event.stepId}: ${event.message}`);
      if (event.status !== WorkflowStatus.Completed) throw new Error(`ended ${event.status}`);
      outcome.isCompleted = true;
    } catch (error) {
      outcome.failure = error instanceof Error ? error.message : String(error);
    }
    outcome.finishedAt = performance.now();
    return outcome;
  }

  close(): void {
    this.socket.close();
  }

  private terminalEvent(workflowId: string): Promise<TerminalEvent> {
    const early = this.early.get(workflowId);
    this.early.delete(workflowId);
    if (early) return Promise.resolve(early);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => settle(new Error(`no terminal event within ${WORKFLOW_TIMEOUT_MS} ms`)),
        WORKFLOW_TIMEOUT_MS,
      );
      const settle = (event: TerminalEvent | Error) => {
        clearTimeout(timer);
        this.waiters.delete(workflowId);
        if (event instanceof Error) reject(event);
        else resolve(event);
      };
      this.waiters.set(workflowId, settle);
    });
  }
}

/**
 * A closed loop of CREATE_SITE workflows through the gateway's Socket.IO, as the website builder's
 * users drive it: one connection per workflow in flight, each starting a workflow, waiting for its
 * `complete` or `error`, then starting the next. Requests cycle through a handful of typical ones,
 * each in a session of its own (a new site).
 */
export class SiteLoad {
  private requests = 0;

  private constructor(private readonly clients: SiteClient[]) {}

  /** Opens `inFlight` connections to the gateway. */
  static async connect({
    gatewayUrl,
    inFlight,
  }: {
    gatewayUrl: string;
    inFlight: number;
  }): Promise<SiteLoad> {
    const clients = await Promise.all(
      Array.from({ length: inFlight }, () => SiteClient.connect({ gatewayUrl })),
    );
    return new SiteLoad(clients);
  }

  /**
   * Keeps one workflow going per connection until `workflows` have been started, or until
   * `durationMs` has passed; then waits for those in flight to end. Outcomes in order of ending.
   */
  async run({
    workflows = Infinity,
    durationMs = Infinity,
    onOutcome,
  }: {
    workflows?: number;
    durationMs?: number;
    onOutcome?: (outcome: WorkflowOutcome) => void;
  }): Promise<WorkflowOutcome[]> {
    const outcomes: WorkflowOutcome[] = [];
    const deadline = performance.now() + durationMs;
    let started = 0;
    const lane = async (client: SiteClient) => {
      while (started < workflows && performance.now() < deadline) {
        started += 1;
        const outcome = await client.runOne({
          request: SITE_REQUESTS[this.requests++ % SITE_REQUESTS.length],
          sessionId: `bench-${randomUUID()}`,
        });
        outcomes.push(outcome);
        onOutcome?.(outcome);
      }
    };
    await Promise.all(this.clients.map(lane));
    return outcomes;
  }

  close(): void {
    for (const client of this.clients) client.close();
  }
}

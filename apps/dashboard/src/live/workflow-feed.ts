import { batch, signal } from '@preact/signals';
import { ApiError, describeError } from '../api/api-error';
import type { LogEntry, StepTokensEvent, WorkflowEvent, WorkflowState } from '../api/types';
import { STEP_TOKENS_EVENT, WORKFLOW_EVENT_TYPES } from '../api/types';
import type { ApiClient } from '../api/api-client';
import { applyEvent } from '../views/run/run-model';
import type { LiveConnection } from './live-connection';
import { withStreamedPiece } from './streamed-answers';

export type FeedStatus =
  | { kind: 'loading' }
  | { kind: 'ready' }
  | { kind: 'not-found'; message: string }
  | { kind: 'failed'; message: string };

/**
 * One workflow, live: its state from `GET /workflows/:id`, every event from its log
 * (`GET /workflows/:id/events`), then the socket's events in order. An event already seen is
 * dropped; a gap (an id skipped) is filled from the log before going on. After a reconnect the
 * feed subscribes again from the last event id it holds, and says so.
 */
export class WorkflowFeed {
  readonly status = signal<FeedStatus>({ kind: 'loading' });
  readonly state = signal<WorkflowState | null>(null);
  readonly events = signal<WorkflowEvent[]>([]);
  /** Log lines from PostgreSQL (older than the event log may keep). */
  readonly storedLogs = signal<LogEntry[]>([]);
  readonly logsError = signal<string | null>(null);
  /** What each step's model has streamed so far in its current attempt (its last characters). */
  readonly streamed = signal<Readonly<Record<string, string>>>({});
  private lastEventId = 0;
  private isFilling = false;
  private queued: WorkflowEvent[] = [];
  private readonly stops: (() => void)[] = [];
  private isClosed = false;

  constructor(
    readonly workflowId: string,
    private readonly api: ApiClient,
    private readonly live: LiveConnection,
  ) {}

  async open(): Promise<void> {
    for (const type of WORKFLOW_EVENT_TYPES) {
      this.stops.push(this.live.on(type, (payload) => this.receive(payload)));
    }
    this.stops.push(
      this.live.on(STEP_TOKENS_EVENT, (payload) => {
        this.streamed.value = withStreamedPiece(
          this.streamed.value,
          this.workflowId,
          payload as StepTokensEvent,
        );
      }),
    );
    this.stops.push(this.live.onConnect((isReconnect) => void this.resubscribe(isReconnect)));
    try {
      const state = await this.api.workflow(this.workflowId);
      const history = await this.api.events(this.workflowId, 0);
      if (this.isClosed) return;
      batch(() => {
        this.state.value = state;
        this.status.value = { kind: 'ready' };
        this.accept(history);
      });
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
        this.status.value = { kind: 'not-found', message: `No workflow ${this.workflowId}` };
      } else {
        this.status.value = { kind: 'failed', message: describeError(error) };
      }
      return;
    }
    void this.loadStoredLogs();
    if (this.live.isConnected) await this.subscribe();
  }

  close(): void {
    this.isClosed = true;
    for (const stop of this.stops) stop();
    void this.live.request('workflow.unsubscribe', { workflowId: this.workflowId });
  }

  /**
   * Reloads the state (after cancel or retry, whose answer may come before the events). Events
   * the socket brought while it was read may be newer than it: the state they made is kept then,
   * or a workflow that ended meanwhile would show the step before its end for good.
   */
  async refresh(): Promise<void> {
    const state = await this.api.workflow(this.workflowId);
    const after = await this.api.events(this.workflowId, this.lastEventId);
    batch(() => {
      if (state.lastEventId >= this.lastEventId) this.state.value = state;
      this.accept(after);
    });
  }

  private async loadStoredLogs(): Promise<void> {
    try {
      const page = await this.api.logs(this.workflowId, { limit: 1000 });
      this.storedLogs.value = page.items;
    } catch (error) {
      this.logsError.value = describeError(error);
    }
  }

  private async subscribe(): Promise<boolean> {
    const ack = await this.live.request<{ workflowId: string }>('workflow.subscribe', {
      workflowId: this.workflowId,
      lastEventId: this.lastEventId,
    });
    return ack.ok;
  }

  private async resubscribe(isReconnect: boolean): Promise<void> {
    if (this.isClosed || this.status.value.kind !== 'ready') return;
    const from = this.lastEventId;
    const isSubscribed = await this.subscribe();
    // The server replays what came after `from`; read the log too, in case it could not.
    await this.fill();
    if (!isReconnect) return;
    this.live.notice.value = isSubscribed
      ? `Reconnected — resumed from event ${from}, no events missed.`
      : `Reconnected — events after ${from} read from the log; live updates unavailable.`;
  }

  private receive(payload: unknown): void {
    const event = payload as WorkflowEvent;
    // The server's `error` event for a refused message has no workflow id.
    if (this.isClosed || event?.workflowId !== this.workflowId || typeof event.eventId !== 'number') return;
    if (this.isFilling || this.status.value.kind !== 'ready') {
      this.queued.push(event);
      return;
    }
    if (event.eventId <= this.lastEventId) return;
    if (event.eventId > this.lastEventId + 1) {
      this.queued.push(event);
      void this.fill();
      return;
    }
    this.accept([event]);
  }

  /** Reads the events after the last one held from the log, then the ones that arrived meanwhile. */
  private async fill(): Promise<void> {
    if (this.isFilling) return;
    this.isFilling = true;
    try {
      const missed = await this.api.events(this.workflowId, this.lastEventId);
      this.accept(missed);
    } catch {
      // The socket's own replay may still close the gap; the next gap tries again.
    } finally {
      this.isFilling = false;
      const queued = this.queued.sort((a, b) => a.eventId - b.eventId);
      this.queued = [];
      this.accept(queued);
    }
  }

  private accept(events: WorkflowEvent[]): void {
    const fresh = events.filter((event) => event.eventId > this.lastEventId);
    if (fresh.length === 0) return;
    let state = this.state.value;
    const accepted: WorkflowEvent[] = [];
    for (const event of fresh.sort((a, b) => a.eventId - b.eventId)) {
      if (event.eventId <= this.lastEventId) continue;
      this.lastEventId = event.eventId;
      accepted.push(event);
      if (state) state = applyEvent(state, event);
    }
    batch(() => {
      this.state.value = state;
      this.events.value = [...this.events.value, ...accepted];
    });
  }
}

import { AgentStatusEvent, WorkflowEvent, WorkflowEventType } from '@app/contracts';
import { Socket, io } from 'socket.io-client';
import { TEST_ADMIN_KEY } from './test-environment';

/** A real Socket.IO client that records every workflow event it receives. */
export class WorkflowClient {
  readonly socket: Socket;
  readonly events: WorkflowEvent[] = [];
  readonly errors: unknown[] = [];
  private waiters: { test: (event: WorkflowEvent) => boolean; resolve: (event: WorkflowEvent) => void }[] =
    [];

  constructor(url: string, options: { token?: string | null } = {}) {
    const token = options.token === undefined ? TEST_ADMIN_KEY : options.token;
    this.socket = io(url, { transports: ['websocket'], reconnection: false, auth: token ? { token } : {} });
    for (const type of Object.values(WorkflowEventType)) {
      this.socket.on(type, (payload: WorkflowEvent & { error?: unknown }) => {
        // `error` also carries protocol errors, which have no workflow id.
        if (type === WorkflowEventType.Error && !payload.workflowId) return void this.errors.push(payload);
        this.events.push(payload);
        this.waiters = this.waiters.filter(
          (waiter) => !(waiter.test(payload) && (waiter.resolve(payload), true)),
        );
      });
    }
  }

  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  /** Resolves with the first recorded or future event that passes `test`. */
  next(test: (event: WorkflowEvent) => boolean, timeoutMs = 60_000): Promise<WorkflowEvent> {
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events.map((e) => e.type))}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({ test, resolve: (event) => (clearTimeout(timer), resolve(event)) });
    });
  }

  /** The event saying a step waits (`waitingFor`), as when no live worker serves its agent. */
  async waiting(workflowId: string, stepId: string): Promise<AgentStatusEvent> {
    return (await this.next(
      (event) =>
        event.workflowId === workflowId &&
        event.type === WorkflowEventType.AgentStatus &&
        event.stepId === stepId &&
        'waitingFor' in event,
    )) as AgentStatusEvent;
  }

  /** The workflow's terminal event: `complete` or `error`. */
  finished(workflowId: string, timeoutMs?: number): Promise<WorkflowEvent> {
    return this.next(
      (event) =>
        event.workflowId === workflowId &&
        (event.type === WorkflowEventType.Complete || event.type === WorkflowEventType.Error),
      timeoutMs,
    );
  }

  of(workflowId: string): WorkflowEvent[] {
    return this.events.filter((event) => event.workflowId === workflowId);
  }

  close(): void {
    this.socket.close();
  }
}

import { WorkerLogger } from './worker-logger';

/** What happened, with what in-process code may want to know. */
export interface WorkflowHookEvents {
  'workflow.started': { workflowId: string };
  'step.finished': {
    workflowId: string;
    stepId: string;
    agent: string;
    isSuccess: boolean;
    durationMs: number;
  };
  'workflow.completed': { workflowId: string };
  'workflow.failed': { workflowId: string; stepId: string; error: string };
  'workflow.cancelled': { workflowId: string };
}

type Handler<K extends keyof WorkflowHookEvents> = (event: WorkflowHookEvents[K]) => void | Promise<void>;

/**
 * In-process callbacks on workflow events, for code that lives in the worker's process (metrics,
 * integrations). A failing handler is logged and never disturbs the workflow or other handlers.
 * Cross-process consumers use the event stream instead.
 */
export class WorkflowHooks {
  private readonly handlers = new Map<keyof WorkflowHookEvents, Handler<never>[]>();

  constructor(private readonly logger?: WorkerLogger) {}

  /** Registers a handler; returns a function that removes it. */
  on<K extends keyof WorkflowHookEvents>(event: K, handler: Handler<K>): () => void {
    const list = this.handlers.get(event) ?? [];
    list.push(handler as Handler<never>);
    this.handlers.set(event, list);
    return () =>
      this.handlers.set(
        event,
        (this.handlers.get(event) ?? []).filter((entry) => entry !== handler),
      );
  }

  /** Calls every handler of `event`; resolves when all have settled. */
  async emit<K extends keyof WorkflowHookEvents>(event: K, payload: WorkflowHookEvents[K]): Promise<void> {
    const list = (this.handlers.get(event) ?? []) as Handler<K>[];
    if (list.length === 0) return;
    await Promise.all(
      list.map(async (handler) => {
        try {
          await handler(payload);
        } catch (error) {
          this.logger?.error(
            `a ${event} handler failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }),
    );
  }
}

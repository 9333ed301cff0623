import Redis from 'ioredis';
import { CancelledError } from '../agent-errors';
import { WorkerLogger } from './worker-logger';
import { WorkflowHooks } from './workflow-hooks';

/**
 * Fires the AbortSignal of this process's running steps when their workflow is cancelled,
 * whichever process received the cancel: the store publishes each cancelled workflow's id.
 */
export class Cancellations {
  private readonly running = new Map<string, Set<AbortController>>();

  constructor(
    /** A connection of its own: it is put in subscriber mode. */
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly hooks: WorkflowHooks,
    private readonly logger: WorkerLogger,
  ) {}

  async start(): Promise<void> {
    this.subscriber.on('message', (_channel: string, workflowId: string) => this.abort(workflowId));
    await this.subscriber.subscribe(this.channel);
  }

  /** A controller whose signal fires if the workflow is cancelled; call `release` when done. */
  track(workflowId: string): { controller: AbortController; release: () => void } {
    const controller = new AbortController();
    const set = this.running.get(workflowId) ?? new Set();
    set.add(controller);
    this.running.set(workflowId, set);
    return {
      controller,
      release: () => {
        set.delete(controller);
        if (set.size === 0) this.running.delete(workflowId);
      },
    };
  }

  /** Every worker process hears each cancellation, so `workflow.cancelled` fires in each. */
  private abort(workflowId: string): void {
    void this.hooks.emit('workflow.cancelled', { workflowId });
    const controllers = this.running.get(workflowId);
    if (!controllers) return;
    this.logger.log(`workflow ${workflowId} cancelled: aborting ${controllers.size} running step(s)`);
    for (const controller of controllers) controller.abort(new CancelledError());
  }

  async close(): Promise<void> {
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}

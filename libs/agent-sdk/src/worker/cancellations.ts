import { RedisClient } from '@app/redis';
import { CancelledError } from '../agent-errors';
import { WorkerLogger } from './worker-logger';
import { WorkflowHooks } from './workflow-hooks';

/**
 * Fires the AbortSignal of this process's running steps when their workflow is cancelled,
 * whichever process received the cancel: the store publishes each cancelled workflow's id.
 * Pub/sub drops what is published while the subscriber reconnects, so a sweep also reads the
 * statuses of the workflows with running steps: after every reconnect, and every `sweepMs`.
 */
export class Cancellations {
  private readonly running = new Map<string, Set<AbortController>>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    /** A connection of its own: it is put in subscriber mode. */
    private readonly subscriber: RedisClient,
    private readonly channel: string,
    /** Which of these workflows are cancelled, read from the store. */
    private readonly cancelledAmong: (workflowIds: string[]) => Promise<string[]>,
    private readonly hooks: WorkflowHooks,
    private readonly logger: WorkerLogger,
    private readonly sweepMs = 2000,
  ) {}

  async start(): Promise<void> {
    this.subscriber.on('message', (_channel: string, workflowId: string) => this.abort(workflowId));
    await this.subscriber.subscribe(this.channel);
    // ioredis subscribes again on its own after a reconnect; what was published meanwhile is lost.
    this.subscriber.on('ready', () => void this.sweep());
    this.sweeper = setInterval(() => void this.sweep(), this.sweepMs);
    this.sweeper.unref();
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

  /** Aborts the running steps of workflows the store says are cancelled, whatever pub/sub delivered. */
  private async sweep(): Promise<void> {
    if (this.running.size === 0) return;
    try {
      const cancelled = await this.cancelledAmong([...this.running.keys()]);
      for (const workflowId of cancelled) {
        const controllers = this.running.get(workflowId);
        if (!controllers || [...controllers].every(({ signal }) => signal.aborted)) continue;
        this.logger.warn(`workflow ${workflowId} was cancelled without its message reaching this worker`);
        this.abort(workflowId);
      }
    } catch (error) {
      this.logger.warn(`could not read the statuses of running workflows: ${(error as Error).message}`);
    }
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
    clearInterval(this.sweeper);
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}

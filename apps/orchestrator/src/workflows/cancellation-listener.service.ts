import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CancelledError } from '@app/agent-sdk';
import { OrchestratorConfig } from '@app/config';
import { createRedisConnection } from '@app/redis';
import { WorkflowStore } from '@app/workflow-store';
import Redis from 'ioredis';
import { WorkflowHooks } from './workflow-hooks.service';

/**
 * Fires the AbortSignal of this process's running steps when their workflow is cancelled,
 * whichever process received the cancel: the store publishes each cancelled workflow's id.
 */
@Injectable()
export class CancellationListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CancellationListener.name);
  private readonly running = new Map<string, Set<AbortController>>();
  private subscriber!: Redis;

  constructor(
    private readonly store: WorkflowStore,
    private readonly config: OrchestratorConfig,
    private readonly hooks: WorkflowHooks,
  ) {}

  async onModuleInit(): Promise<void> {
    this.subscriber = createRedisConnection(
      this.config.REDIS_URL,
      `${this.config.REDIS_PREFIX}-cancellations`,
    );
    this.subscriber.on('message', (_channel: string, workflowId: string) => this.abort(workflowId));
    await this.subscriber.subscribe(this.store.cancellationsChannel);
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

  /** Every orchestrator process hears each cancellation, so `workflow.cancelled` fires in each. */
  private abort(workflowId: string): void {
    void this.hooks.emit('workflow.cancelled', { workflowId });
    const controllers = this.running.get(workflowId);
    if (!controllers) return;
    this.logger.log(`workflow ${workflowId} cancelled: aborting ${controllers.size} running step(s)`);
    for (const controller of controllers) controller.abort(new CancelledError());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber.disconnect());
  }
}

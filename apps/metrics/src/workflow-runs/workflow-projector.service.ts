import { Inject, Injectable, Logger } from '@nestjs/common';
import { ServiceConfig } from '@app/config';
import { WorkflowState } from '@app/contracts';
import { WorkflowRunsRepository } from '@app/persistence';
import { REDIS_CLIENT, RedisClient } from '@app/redis';
import { WorkflowKeys, WorkflowStore } from '@app/workflow-store';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';

export const WORKFLOW_RUNS_PROJECTED_METRIC = 'workflow_runs_projected_total';

/**
 * Projects workflows from the store into `workflow_runs`: reads each one's current state from
 * Redis, upserts them in one statement (an older state never overwrites a newer), then publishes
 * the summaries it wrote for the gateways to relay.
 */
@Injectable()
export class WorkflowProjector {
  private readonly logger = new Logger(WorkflowProjector.name);
  private readonly channel: string;

  constructor(
    private readonly store: WorkflowStore,
    private readonly runs: WorkflowRunsRepository,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    config: ServiceConfig,
    @InjectMetric(WORKFLOW_RUNS_PROJECTED_METRIC) private readonly projected: Counter<string>,
  ) {
    this.channel = new WorkflowKeys(config.REDIS_PREFIX).runsChannel;
  }

  /**
   * Projects these workflows as they are now; returns how many rows it wrote. A workflow gone from
   * Redis is skipped (retention archived it, and upserted its projection then). A PostgreSQL
   * error propagates, so that the caller keeps the changes to try again.
   */
  async project(workflowIds: string[]): Promise<number> {
    const unique = [...new Set(workflowIds)];
    const states = await Promise.all(unique.map((workflowId) => this.read(workflowId)));
    const found = states.filter((state): state is WorkflowState => state !== null);
    const written = await this.runs.upsert(found);
    this.projected.inc(written.length);
    if (written.length > 0) await this.redis.publish(this.channel, JSON.stringify(written));
    return written.length;
  }

  /** One workflow's state; null when it is gone or cannot be read (then only retention projects it). */
  private async read(workflowId: string): Promise<WorkflowState | null> {
    try {
      return await this.store.get(workflowId);
    } catch (error) {
      this.logger.warn(
        `workflow ${workflowId} left out of the projection: its state cannot be read (${String(error)})`,
      );
      return null;
    }
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { EnvironmentConfig } from '@app/config';
import {
  MaintenanceJobName,
  MaintenanceReport,
  TERMINAL_WORKFLOW_STATUSES,
  WorkflowState,
  WorkflowStatus,
} from '@app/contracts';
import { WorkflowRecordsRepository } from '@app/persistence';
import { REDIS_CLIENT } from '@app/redis';
import { WorkflowStore } from '@app/workflow-store';
import Redis from 'ioredis';

const HOUR_MS = 60 * 60 * 1000;
const PAGE = 200;

/**
 * Removes an archived workflow from Redis (its hash, outputs, events and index entries) only if
 * it still has the status and finish time that were archived: a FAILED workflow resumed meanwhile
 * is left alone. A workflow whose hash already expired only loses its index entries.
 * KEYS: wf, wf:out, wf:events, P:workflows, P:workflows:<status>; ARGV: id, status, finishedAt.
 * Returns 1 removed, 2 index entries of an expired workflow removed, 0 left alone.
 * (Key layout: libs/workflow-store/src/workflow-scripts.lua.ts.)
 */
const REMOVE_ARCHIVED_WORKFLOW = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('ZREM', KEYS[4], ARGV[1])
  redis.call('ZREM', KEYS[5], ARGV[1])
  return 2
end
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[2] or redis.call('HGET', KEYS[1], 'finishedAt') ~= ARGV[3] then
  return 0
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
return 1
`;

type RetentionRedis = Redis & {
  removeArchivedWorkflow(...args: string[]): Promise<number>;
};

/**
 * CleanupWorkflowStates: every finished workflow whose state is older than
 * `WORKFLOW_STATE_TTL_HOURS` is first archived to PostgreSQL (`workflow_records`), then removed
 * from Redis. Stopping between the two is harmless: the next run archives it again (an upsert).
 */
@Injectable()
export class WorkflowStateRetentionService {
  private readonly logger = new Logger(WorkflowStateRetentionService.name);
  private readonly redis: RetentionRedis;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    private readonly store: WorkflowStore,
    private readonly records: WorkflowRecordsRepository,
    private readonly config: EnvironmentConfig,
  ) {
    this.redis = redis as RetentionRedis;
    if (!('removeArchivedWorkflow' in redis)) {
      redis.defineCommand('removeArchivedWorkflow', { numberOfKeys: 5, lua: REMOVE_ARCHIVED_WORKFLOW });
    }
  }

  async run(now = new Date()): Promise<MaintenanceReport> {
    const cutoffMs = now.getTime() - this.config.WORKFLOW_STATE_TTL_HOURS * HOUR_MS;
    let archived = 0;
    let removed = 0;
    let expired = 0;
    for (const status of TERMINAL_WORKFLOW_STATUSES) {
      const counts = await this.cleanStatus(status, cutoffMs);
      archived += counts.archived;
      removed += counts.removed;
      expired += counts.expired;
    }
    const cutoff = new Date(cutoffMs).toISOString();
    this.logger.log(
      `archived ${archived} finished workflows older than ${cutoff} to PostgreSQL and removed ${removed} from Redis` +
        ` (and ${expired} index entries of workflows that had already expired)`,
    );
    return { job: MaintenanceJobName.CleanupWorkflowStates, cutoff, archived, removed };
  }

  /**
   * Walks the status index from the oldest creation time up to the cut-off (a workflow finishes
   * after it is created, so none finished before the cut-off was created after it).
   */
  private async cleanStatus(
    status: WorkflowStatus,
    cutoffMs: number,
  ): Promise<{ archived: number; removed: number; expired: number }> {
    const index = `${this.config.REDIS_PREFIX}:workflows:${status}`;
    const counts = { archived: 0, removed: 0, expired: 0 };
    // Entries kept (finished too recently) stay at the head of the range; skip past them.
    let kept = 0;
    for (;;) {
      const ids = await this.redis.zrangebyscore(index, '-inf', `(${cutoffMs}`, 'LIMIT', kept, PAGE);
      if (ids.length === 0) return counts;
      const states = await Promise.all(ids.map((id) => this.store.get(id)));
      const due: WorkflowState[] = [];
      for (const [position, state] of states.entries()) {
        if (state === null) {
          if ((await this.remove(ids[position], status, '')) === 2) counts.expired += 1;
          else kept += 1;
        } else if (
          state.status === status &&
          state.finishedAt !== null &&
          Date.parse(state.finishedAt) < cutoffMs
        ) {
          due.push(state);
        } else {
          kept += 1;
        }
      }
      counts.archived += await this.records.archive(due);
      for (const state of due) {
        const outcome = await this.remove(state.workflowId, status, state.finishedAt ?? '');
        if (outcome === 1) counts.removed += 1;
        else if (outcome === 0) kept += 1;
      }
    }
  }

  private remove(workflowId: string, status: WorkflowStatus, finishedAt: string): Promise<number> {
    const prefix = this.config.REDIS_PREFIX;
    const key = `${prefix}:wf:${workflowId}`;
    return this.redis.removeArchivedWorkflow(
      key,
      `${key}:out`,
      `${key}:events`,
      `${prefix}:workflows`,
      `${prefix}:workflows:${status}`,
      workflowId,
      status,
      finishedAt,
    );
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { MetricsConfig } from '@app/config';
import {
  MaintenanceJobName,
  MaintenanceReport,
  TERMINAL_WORKFLOW_STATUSES,
  WorkflowState,
  WorkflowStatus,
} from '@app/contracts';
import { WorkflowRecordsRepository, WorkflowRunsRepository } from '@app/persistence';
import { WorkflowStore } from '@app/workflow-store';

const HOUR_MS = 60 * 60 * 1000;
const PAGE = 200;

/**
 * CleanupWorkflowStates: every finished workflow whose state is older than
 * `WORKFLOW_STATE_TTL_HOURS` is first archived to PostgreSQL (`workflow_records`, and its final
 * projection in `workflow_runs`), then removed from Redis. Stopping between the two is harmless:
 * the next run archives it again (upserts).
 */
@Injectable()
export class WorkflowStateRetentionService {
  private readonly logger = new Logger(WorkflowStateRetentionService.name);

  constructor(
    private readonly store: WorkflowStore,
    private readonly records: WorkflowRecordsRepository,
    private readonly runs: WorkflowRunsRepository,
    private readonly config: MetricsConfig,
  ) {}

  async run(now = new Date()): Promise<MaintenanceReport> {
    const cutoffMs = now.getTime() - this.config.WORKFLOW_STATE_TTL_HOURS * HOUR_MS;
    let archived = 0;
    let removed = 0;
    let expired = 0;
    for (const [status, shard] of TERMINAL_WORKFLOW_STATUSES.flatMap((status) =>
      this.store.keys.allShards().map((shard) => [status, shard] as const),
    )) {
      const counts = await this.cleanStatus(status, shard, cutoffMs);
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
   * Walks a shard's status index from the oldest creation time up to the cut-off (a workflow
   * finishes after it is created, so none finished before the cut-off was created after it).
   */
  private async cleanStatus(
    status: WorkflowStatus,
    shard: number,
    cutoffMs: number,
  ): Promise<{ archived: number; removed: number; expired: number }> {
    const counts = { archived: 0, removed: 0, expired: 0 };
    // Entries kept (finished too recently) stay at the head of the range; skip past them.
    let kept = 0;
    for (;;) {
      const ids = await this.store.idsCreatedBefore(status, shard, cutoffMs, kept, PAGE);
      if (ids.length === 0) return counts;
      const states = await Promise.all(ids.map((id) => this.store.get(id)));
      const due: WorkflowState[] = [];
      for (const [position, state] of states.entries()) {
        if (state === null) {
          if ((await this.store.removeFinished(ids[position], status, '')) === 'index-only')
            counts.expired += 1;
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
      // Its projection too: the outbox entry of its last change may have been lost (a Redis failover).
      await this.runs.upsert(due);
      for (const state of due) {
        const outcome = await this.store.removeFinished(state.workflowId, status, state.finishedAt ?? '');
        if (outcome === 'removed') counts.removed += 1;
        else if (outcome === 'kept') kept += 1;
      }
    }
  }
}

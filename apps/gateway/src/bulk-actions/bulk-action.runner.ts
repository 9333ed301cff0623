import { HttpException, Injectable } from '@nestjs/common';
import {
  BulkActionKind,
  BulkActionProgress,
  BulkActionState,
  RunBulkActionJob,
  WorkflowFilter,
} from '@app/contracts';
import { Caller } from '../auth/caller';
import { WorkflowReplays } from '../workflows/workflow-replays.service';
import { WorkflowsService } from '../workflows/workflows.service';
import { initialProgress } from './bulk-action-progress';
import { replayIdOf } from './replay-id';
import { WorkflowStore } from '@app/workflow-store';

/** The most workflows one bulk action selects by filter. */
const BULK_ACTION_MAX_WORKFLOWS = 10_000;
/** Workflows acted on at once; progress is reported after each such batch. */
const BATCH = 20;
/** Problems listed in the progress; the counts cover them all. */
const MAX_PROBLEMS = 20;
/** Rows read per page of the selection. */
const PAGE = 100;

/**
 * Runs one bulk action: selects the workflows (by filter from the PostgreSQL projection, as
 * `GET /workflows` lists them for the caller, or by id), then applies the action to each through
 * the same services as the single routes, with the caller's rights.
 */
@Injectable()
export class BulkActionRunner {
  constructor(
    private readonly workflows: WorkflowsService,
    private readonly replays: WorkflowReplays,
    private readonly store: WorkflowStore,
  ) {}

  async run(
    jobId: string,
    { request, caller }: RunBulkActionJob,
    report: (progress: BulkActionProgress) => Promise<void>,
  ): Promise<BulkActionProgress> {
    const progress: BulkActionProgress = {
      ...initialProgress(jobId, request.action),
      state: BulkActionState.Running,
    };
    const ids = request.ids ?? (await this.select(request.filter ?? {}, caller));
    progress.total = ids.length;
    await report(progress);
    for (let start = 0; start < ids.length; start += BATCH) {
      await Promise.all(
        ids.slice(start, start + BATCH).map(async (workflowId) => {
          const outcome = await this.apply(jobId, request.action, workflowId, request.fromStep, caller);
          progress.done += 1;
          progress[outcome.kind] += 1;
          if (outcome.kind !== 'succeeded' && progress.problems.length < MAX_PROBLEMS)
            progress.problems.push({ workflowId, message: outcome.message });
        }),
      );
      await report(progress);
    }
    progress.state = BulkActionState.Completed;
    await report(progress);
    return progress;
  }

  /** The ids of the workflows the filter selects for the caller, newest first, page by page. */
  private async select(filter: WorkflowFilter, caller: Caller): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.workflows.list({ ...filter, limit: PAGE, cursor }, caller);
      ids.push(...page.items.map((item) => item.workflowId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && ids.length < BULK_ACTION_MAX_WORKFLOWS);
    return ids.slice(0, BULK_ACTION_MAX_WORKFLOWS);
  }

  /** A refusal the single route would answer with 4xx (ended, not FAILED, not found) is a skip. */
  private async apply(
    jobId: string,
    action: BulkActionKind,
    workflowId: string,
    fromStep: string | undefined,
    caller: Caller,
  ): Promise<{ kind: 'succeeded' } | { kind: 'failed' | 'skipped'; message: string }> {
    try {
      switch (action) {
        case BulkActionKind.Cancel:
          await this.workflows.cancel(workflowId, caller);
          break;
        case BulkActionKind.Retry:
          await this.workflows.retry(workflowId, caller);
          break;
        case BulkActionKind.Replay:
          // One id per (job, original): if the job runs again after its gateway died, the replays
          // it had started are found, not started twice.
          await this.replays.replay(
            workflowId,
            { fromStep: fromStep as string },
            caller,
            replayIdOf(jobId, workflowId, this.store.keys),
          );
          break;
        default:
          throw new Error(`unknown bulk action ${String(action satisfies never)}`);
      }
      return { kind: 'succeeded' };
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() < 500)
        return { kind: 'skipped', message: error.message };
      return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
  }
}

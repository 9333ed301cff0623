import { BulkActionKind, BulkActionProgress, BulkActionState } from '@app/contracts';

/** A bulk action's progress before it has run. */
export function initialProgress(jobId: string, action: BulkActionKind): BulkActionProgress {
  return {
    jobId,
    action,
    state: BulkActionState.Queued,
    total: null,
    done: 0,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    problems: [],
    error: null,
  };
}

/** The progress a bulk action reached, marked FAILED with why it stopped. */
export function failedProgress(known: BulkActionProgress, reason: string): BulkActionProgress {
  return { ...known, state: BulkActionState.Failed, error: reason };
}

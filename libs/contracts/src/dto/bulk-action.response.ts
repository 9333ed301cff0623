import { BulkActionKind } from './bulk-action.request';

/** Where a bulk action is: queued, running, or ended (with its result counts). */
export enum BulkActionState {
  Queued = 'queued',
  Running = 'running',
  Completed = 'completed',
  Failed = 'failed',
}

/** One workflow a bulk action could not act on, and why. */
export class BulkActionProblem {
  workflowId!: string;
  message!: string;
}

/**
 * A bulk action's progress: `GET /workflows/bulk/:jobId`, and the Socket.IO event `bulk.progress`
 * sent to the sockets of the API key that started it as it goes.
 */
export class BulkActionProgress {
  jobId!: string;
  action!: BulkActionKind;
  state!: BulkActionState;
  /** Workflows selected; null until the selection is made. */
  total!: number | null;
  /** Workflows handled so far: succeeded + failed + skipped. */
  done!: number;
  succeeded!: number;
  /** Workflows the action could not be applied to for an unexpected reason (see `problems`). */
  failed!: number;
  /** Workflows the action does not apply to (already ended, not FAILED, not visible, ...). */
  skipped!: number;
  /** The first few workflows that failed or were skipped, with why. */
  problems!: BulkActionProblem[];
  /** Why the whole action failed, when `state` is `failed`. */
  error!: string | null;
}

/** The answer to `POST /workflows/bulk` (202). */
export class BulkActionStarted {
  /** Follow it with `GET /workflows/bulk/:jobId` or the `bulk.progress` events. */
  jobId!: string;
  action!: BulkActionKind;
}

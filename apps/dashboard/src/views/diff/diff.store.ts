import { signal } from '@preact/signals';
import { describeError } from '../../api/api-error';
import type { WorkflowDiff } from '../../api/types';
import { api } from '../../session';

/** Two workflows compared step by step (a replay and the workflow it replays, say). */
export class DiffStore {
  readonly diff = signal<WorkflowDiff | null>(null);
  readonly error = signal<string | null>(null);

  constructor(
    readonly workflowId: string,
    readonly otherId: string,
  ) {}

  async load(): Promise<void> {
    try {
      this.diff.value = await api.diff(this.workflowId, this.otherId);
    } catch (error) {
      this.error.value = describeError(error);
    }
  }
}

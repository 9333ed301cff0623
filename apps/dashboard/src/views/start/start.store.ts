import { signal } from '@preact/signals';
import { ApiError, describeError } from '../../api/api-error';
import type { InputError, StartWorkflowRequest, WorkflowDefinition } from '../../api/types';
import { api } from '../../session';

/** The start form's data: the workflow types, and what the server said of a submission. */
export class StartStore {
  readonly definitions = signal<WorkflowDefinition[]>([]);
  readonly loadError = signal<string | null>(null);
  readonly isSubmitting = signal(false);
  readonly submitError = signal<string | null>(null);
  readonly fieldErrors = signal<InputError[]>([]);

  async load(): Promise<void> {
    try {
      this.definitions.value = await api.definitions();
    } catch (error) {
      this.loadError.value = describeError(error);
    }
  }

  /** Starts the workflow; its id, or null when the server refused it (errors are in the signals). */
  async start(request: StartWorkflowRequest): Promise<string | null> {
    this.isSubmitting.value = true;
    this.submitError.value = null;
    this.fieldErrors.value = [];
    try {
      const { workflowId } = await api.start(request);
      return workflowId;
    } catch (error) {
      if (error instanceof ApiError && error.errors.length > 0) {
        this.fieldErrors.value = error.errors;
        this.submitError.value = `The server refused the input: ${error.message}.`;
      } else {
        this.submitError.value = describeError(error);
      }
      return null;
    } finally {
      this.isSubmitting.value = false;
    }
  }
}

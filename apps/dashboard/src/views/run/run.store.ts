import { signal } from '@preact/signals';
import { ApiError, describeError } from '../../api/api-error';
import type { LogLevel } from '../../api/types';
import { WorkflowFeed } from '../../live/workflow-feed';
import { navigate } from '../../router';
import { api, live } from '../../session';

export type OutputState =
  | { kind: 'loading' }
  | { kind: 'loaded'; output: unknown }
  | { kind: 'none'; message: string }
  | { kind: 'failed'; message: string };

/** A workflow's run view: its live feed, the step outputs asked for, the actions and their results. */
export class RunStore {
  readonly feed: WorkflowFeed;
  readonly outputs = signal<Record<string, OutputState>>({});
  readonly actionMessage = signal<{ kind: 'success' | 'error'; text: string } | null>(null);
  readonly isActing = signal(false);
  readonly logLevel = signal<LogLevel | ''>('');
  readonly logSearch = signal('');

  constructor(readonly workflowId: string) {
    this.feed = new WorkflowFeed(workflowId, api, live);
  }

  async loadOutput(stepId: string): Promise<void> {
    const known = this.outputs.value[stepId];
    if (known && known.kind !== 'failed') return;
    this.setOutput(stepId, { kind: 'loading' });
    try {
      const answer = await api.output(this.workflowId, stepId);
      this.setOutput(stepId, { kind: 'loaded', output: answer.output });
    } catch (error) {
      this.setOutput(
        stepId,
        error instanceof ApiError && error.status === 404
          ? { kind: 'none', message: 'No output (yet).' }
          : { kind: 'failed', message: describeError(error) },
      );
    }
  }

  /** Forgets a step's output, e.g. once it has run again. */
  forgetOutput(stepId: string): void {
    const next = { ...this.outputs.value };
    delete next[stepId];
    this.outputs.value = next;
  }

  async cancel(): Promise<void> {
    await this.act('Cancel requested: running steps are told to stop.', () => api.cancel(this.workflowId));
  }

  async retry(): Promise<void> {
    await this.act('Retrying from the step that failed.', () => api.retry(this.workflowId));
  }

  async pause(): Promise<void> {
    await this.act('Paused: running steps finish, no new step starts.', () =>
      api.control(this.workflowId, 'pause'),
    );
  }

  async resume(): Promise<void> {
    await this.act('Resumed.', () => api.control(this.workflowId, 'resume'));
  }

  async approve(stepId: string, comment: string): Promise<void> {
    await this.act(`Step ${stepId} approved.`, () =>
      api.decide(this.workflowId, stepId, 'approve', comment ? { comment } : {}),
    );
  }

  async reject(stepId: string, comment: string): Promise<void> {
    await this.act(`Step ${stepId} rejected: the workflow ends.`, () =>
      api.decide(this.workflowId, stepId, 'reject', comment ? { comment } : {}),
    );
  }

  /** Starts a replay from `stepId` and opens it. */
  async replay(stepId: string): Promise<void> {
    await this.act(
      ({ workflowId }) => navigate(`/runs/${workflowId}`),
      () => api.replay(this.workflowId, stepId),
    );
  }

  /**
   * Runs a person's action, its error said if it fails. `onDone` is what success says (and the
   * feed is refreshed), or what to do with the answer instead.
   */
  private async act<T>(onDone: string | ((answer: T) => void), action: () => Promise<T>): Promise<void> {
    this.isActing.value = true;
    this.actionMessage.value = null;
    try {
      const answer = await action();
      if (typeof onDone === 'function') return onDone(answer);
      this.actionMessage.value = { kind: 'success', text: onDone };
      await this.feed.refresh();
    } catch (error) {
      this.actionMessage.value = { kind: 'error', text: describeError(error) };
    } finally {
      this.isActing.value = false;
    }
  }

  private setOutput(stepId: string, state: OutputState): void {
    this.outputs.value = { ...this.outputs.value, [stepId]: state };
  }
}

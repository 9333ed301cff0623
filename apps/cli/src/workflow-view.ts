import {
  AgentLifecycle,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowState,
  WorkflowStatus,
  depthsOf,
  publishedSitePath,
  revisionOf,
  revisionStepsOf,
} from '@app/contracts';

/** What the live view shows of one step. */
export interface StepView {
  stepId: string;
  agent: string;
  dependsOn: string[];
  /** Steps before it on the longest path from a root: the graph's rows are ordered by it. */
  depth: number;
  lifecycle: AgentLifecycle;
  attempts: number;
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
  waitingFor: string | null;
  /** Set on a quality loop's steps once its check sent work back: `2/3`. */
  iteration: string | null;
}

/**
 * A workflow as the CLI shows it: the state from `GET /workflows/:id`, then every event applied
 * in order. Pure, so that the view can be tested without a terminal.
 */
export class WorkflowView {
  status: WorkflowStatus;
  percent = 0;
  lastLog: string | null = null;
  error: string | null = null;
  result: Record<string, unknown> | null;
  readonly steps: StepView[];

  constructor(readonly state: WorkflowState) {
    this.status = state.status;
    this.result = state.result;
    this.error = state.error;
    const depths = depthsOf(state.steps);
    this.steps = state.steps
      .map((step) => ({
        stepId: step.stepId,
        agent: step.agent,
        dependsOn: step.dependsOn,
        depth: depths.get(step.stepId) ?? 0,
        lifecycle: step.lifecycle,
        attempts: step.attempts,
        startedAt: step.startedAt ? Date.parse(step.startedAt) : null,
        finishedAt: step.finishedAt ? Date.parse(step.finishedAt) : null,
        error: step.error,
        waitingFor: step.waitingFor,
        iteration: step.iteration ? `${step.iteration.current}/${step.iteration.max}` : null,
      }))
      .sort((left, right) => left.depth - right.depth);
    const total = this.steps.length;
    const completed = this.steps.filter((step) => step.lifecycle === AgentLifecycle.Completed).length;
    this.percent = total ? Math.round((completed / total) * 100) : 0;
  }

  get workflowId(): string {
    return this.state.workflowId;
  }

  apply(event: WorkflowEvent): void {
    switch (event.type) {
      case WorkflowEventType.Progress:
        this.status = event.status;
        this.percent = event.percent;
        // Running again after a retry: the earlier run's error is history.
        if (event.status !== WorkflowStatus.Failed) this.error = null;
        return;
      case WorkflowEventType.Log: {
        this.lastLog = `${event.stepId ? `[${event.stepId}] ` : ''}${event.message}`;
        // A quality loop's check sent work back: its steps run again in the next iteration.
        const revision = revisionOf(event.metadata);
        if (revision && event.stepId) {
          const inLoop = new Set(revisionStepsOf(this.steps, event.stepId, revision.target));
          for (const step of this.steps)
            if (inLoop.has(step.stepId)) step.iteration = `${revision.iteration}/${revision.maxIterations}`;
        }
        return;
      }
      case WorkflowEventType.AgentStatus: {
        const step = this.steps.find((candidate) => candidate.stepId === event.stepId);
        // A fan-out's sub-step (item set) does not change its step's own lifecycle.
        if (!step || event.item !== undefined) return;
        const at = Date.parse(event.timestamp);
        step.lifecycle = event.lifecycle;
        step.attempts = Math.max(step.attempts, event.attempt);
        step.waitingFor = event.waitingFor ?? null;
        if (event.lifecycle === AgentLifecycle.Executing) {
          step.startedAt ??= at;
          step.finishedAt = null;
        }
        if (event.lifecycle === AgentLifecycle.Completed || event.lifecycle === AgentLifecycle.Failed) {
          step.finishedAt = at;
          step.error = event.error;
        }
        return;
      }
      case WorkflowEventType.Complete:
        this.status = event.status;
        this.result = event.result;
        if (event.status === WorkflowStatus.Completed) this.percent = 100;
        return;
      case WorkflowEventType.Error:
        this.status = event.status;
        this.error = event.message;
        return;
    }
    event satisfies never;
  }

  /** Milliseconds a step has run: until it finished, or until `now` while it runs. */
  durationOf(step: StepView, now: number): number | null {
    if (step.startedAt === null) return null;
    return (step.finishedAt ?? now) - step.startedAt;
  }
}

/** `1.2s`, `3m04s`. */
export function formatDuration(milliseconds: number | null): string {
  if (milliseconds === null) return '';
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)}s`;
  const minutes = Math.floor(milliseconds / 60_000);
  const seconds = Math.floor((milliseconds % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}

/** The published site's address in a workflow's result: the deploy step's path under the gateway. */
export function siteAddress(result: Record<string, unknown> | null, gatewayUrl: string): string | null {
  const path = publishedSitePath(result);
  return path === null ? null : `${gatewayUrl}${path}`;
}

import { LogLevel } from '@app/contracts';
import { StepExecution, StepQueues, WorkflowStore, stepOriginOf } from '@app/workflow-store';
import { ValidationError, describeError } from '../agent-errors';
import { RevisionRequested } from '../revision-requested';
import { WorkerLogger } from './worker-logger';
import { WorkerMetrics } from './worker-metrics';
import { WorkflowHooks } from './workflow-hooks';

/** The longest summary a log line and a workflow's error carry; the feedback itself is whole. */
const MAX_SUMMARY_CHARS = 300;

/** What the step runner lends: its store, queues, metrics and hooks, and its way of logging. */
export interface StepRevisionsParts {
  store: WorkflowStore;
  queues: StepQueues;
  metrics: WorkerMetrics;
  hooks: WorkflowHooks;
  logger: WorkerLogger;
}

/** A log line of the step: to PostgreSQL, and live unless `isLive` is false. */
type StepLog = (level: LogLevel, message: string, metadata: Record<string, unknown>, isLive: boolean) => void;

/**
 * What a worker does when a checking step's agent throws {@link RevisionRequested}: the store's
 * one transition decides (send the work back, or fail at the loop's bound; see
 * revision-scripts.lua.ts), and this queues the step sent back, counts it and logs it.
 */
export class StepRevisions {
  constructor(private readonly parts: StepRevisionsParts) {}

  async request(params: {
    execution: StepExecution;
    workflowId: string;
    stepId: string;
    request: RevisionRequested;
    durationMs: number;
    log: StepLog;
  }): Promise<void> {
    const { execution, workflowId, stepId, request, log } = params;
    const summary = oneLine(request.summary);
    const result = await this.parts.store.requestRevision({
      workflowId,
      stepId,
      runToken: execution.runToken,
      graphId: execution.graphId,
      feedback: request.feedback,
      summary,
      durationMs: params.durationMs,
    });
    switch (result.outcome) {
      case 'revised': {
        this.parts.metrics.revisions.inc({ workflow_type: execution.meta.type, step: stepId });
        // The live line was written by the store with the transition; this one is PostgreSQL's.
        log(
          LogLevel.Warning,
          `${stepId} sent the work back to ${result.target} (iteration ${result.iteration} of ${result.maxIterations}): ${summary}`,
          { iteration: result.iteration, maxIterations: result.maxIterations, target: result.target },
          false,
        );
        const { meta } = execution;
        await this.parts.queues.add(workflowId, result.readySteps, undefined, stepOriginOf(meta));
        return;
      }
      case 'failed':
        log(LogLevel.Error, `step ${stepId} failed: ${result.message}`, {}, true);
        this.parts.logger.warn(`workflow ${workflowId} FAILED at step ${stepId}: ${result.message}`);
        await this.parts.hooks.emit('workflow.failed', { workflowId, stepId, error: result.message });
        return;
      case 'no-loop':
        return this.failWithoutLoop(params, summary);
      case 'inactive':
      case 'stale':
        return;
    }
  }

  /** A step whose definition declares no loop cannot send work back: it fails, as a wrong definition. */
  private async failWithoutLoop(
    params: {
      execution: StepExecution;
      workflowId: string;
      stepId: string;
      durationMs: number;
      log: StepLog;
    },
    summary: string,
  ): Promise<void> {
    const { execution, workflowId, stepId, log } = params;
    const error = describeError(
      new ValidationError(
        `step ${stepId} asked for a revision (${summary}), but its workflow declares no revise loop on it`,
      ),
    );
    const failed = await this.parts.store.failStep({
      workflowId,
      stepId,
      runToken: execution.runToken,
      error,
      durationMs: params.durationMs,
      retryDelayMs: null,
    });
    if (failed.outcome !== 'failed') return;
    log(LogLevel.Error, `step ${stepId} failed: ${error}`, {}, true);
    await this.parts.hooks.emit('workflow.failed', { workflowId, stepId, error });
  }
}

const oneLine = (text: string): string => {
  const line = text.replace(/\s+/g, ' ').trim() || 'no reason given';
  return line.length > MAX_SUMMARY_CHARS ? `${line.slice(0, MAX_SUMMARY_CHARS - 1)}…` : line;
};

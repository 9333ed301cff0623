import { Injectable } from '@nestjs/common';
import { WorkflowStatus } from '@app/contracts';
import { WorkflowChange } from '@app/workflow-store';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';

export const WORKFLOWS_STARTED_METRIC = 'workflows_started_total';
export const WORKFLOWS_FINISHED_METRIC = 'workflows_finished_total';

const FINISHED_STATUSES: ReadonlySet<string> = new Set([
  WorkflowStatus.Completed,
  WorkflowStatus.Failed,
  WorkflowStatus.Cancelled,
]);

export const WORKFLOW_STATUS_METRIC_PROVIDERS = [
  makeCounterProvider({ name: WORKFLOWS_STARTED_METRIC, help: 'Workflows created' }),
  makeCounterProvider({
    name: WORKFLOWS_FINISHED_METRIC,
    help: 'Workflows that ended, by status (COMPLETED, FAILED, CANCELLED; a resumed one ends again)',
    labelNames: ['status'],
  }),
];

/**
 * Counts workflows from the outbox of status changes, which the consumer group hands to one
 * metrics replica each: the sum over replicas counts every workflow once, whichever process
 * (orchestrator, gateway on a cancel) changed its status.
 */
@Injectable()
export class WorkflowStatusMetrics {
  constructor(
    @InjectMetric(WORKFLOWS_STARTED_METRIC) private readonly started: Counter<string>,
    @InjectMetric(WORKFLOWS_FINISHED_METRIC) private readonly finished: Counter<string>,
  ) {
    // Every status exported from the start: a rate over a series that does not exist yet is empty.
    for (const status of FINISHED_STATUSES) this.finished.inc({ status }, 0);
  }

  projected(changes: WorkflowChange[]): void {
    for (const { status } of changes) {
      if (status === WorkflowStatus.Pending) this.started.inc();
      else if (FINISHED_STATUSES.has(status)) this.finished.inc({ status });
    }
  }
}

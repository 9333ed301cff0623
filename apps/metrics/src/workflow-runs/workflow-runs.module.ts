import { Module } from '@nestjs/common';
import { DatabaseWritesModule } from '../database-writes/database-writes.module';
import { makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import {
  WORKFLOW_CHANGES_OLDEST_AGE_METRIC,
  WORKFLOW_CHANGES_PENDING_METRIC,
  WorkflowChangeConsumer,
} from './workflow-change-consumer.service';
import { WORKFLOW_RUNS_PROJECTED_METRIC, WorkflowProjector } from './workflow-projector.service';
import { WORKFLOW_STATUS_METRIC_PROVIDERS, WorkflowStatusMetrics } from './workflow-status.metrics';

/** The projection of every workflow into PostgreSQL (`workflow_runs`), fed by the store's outbox. */
@Module({
  imports: [DatabaseWritesModule],
  providers: [
    WorkflowProjector,
    WorkflowChangeConsumer,
    WorkflowStatusMetrics,
    ...WORKFLOW_STATUS_METRIC_PROVIDERS,
    makeCounterProvider({
      name: WORKFLOW_RUNS_PROJECTED_METRIC,
      help: 'Workflow projections written to PostgreSQL',
    }),
    makeGaugeProvider({
      name: WORKFLOW_CHANGES_PENDING_METRIC,
      help: 'Workflow status changes in the outbox stream not yet projected',
    }),
    makeGaugeProvider({
      name: WORKFLOW_CHANGES_OLDEST_AGE_METRIC,
      help: 'Age of the oldest workflow status change not yet projected (0 when none)',
    }),
  ],
  exports: [WorkflowProjector],
})
export class WorkflowRunsModule {}

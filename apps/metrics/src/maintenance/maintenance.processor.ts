import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import {
  METRICS_MAINTENANCE_QUEUE,
  MaintenanceJob,
  MaintenanceJobName,
  MaintenanceReport,
} from '@app/contracts';
import { Job } from 'bullmq';
import { LogRetentionService } from './log-retention.service';
import { SessionRetentionService } from './session-retention.service';
import { WorkflowStateRetentionService } from './workflow-state-retention.service';

/** Consumes `metrics.maintenance`, one job at a time per replica; the report is the job's result. */
@Processor(METRICS_MAINTENANCE_QUEUE, { concurrency: 1 })
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    private readonly logs: LogRetentionService,
    private readonly workflowStates: WorkflowStateRetentionService,
    private readonly sessions: SessionRetentionService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.on('failed', (job, error) =>
      this.logger.error(`${job?.name ?? 'maintenance job'} ${job?.id ?? '?'} failed: ${error.message}`),
    );
  }

  process(job: Job<MaintenanceJob, MaintenanceReport, MaintenanceJobName>): Promise<MaintenanceReport> {
    this.logger.log(`${job.name} started (${job.data.trigger ?? 'schedule'})`);
    switch (job.name) {
      case MaintenanceJobName.CleanupLogs:
        return this.logs.run();
      case MaintenanceJobName.CleanupWorkflowStates:
        return this.workflowStates.run();
      case MaintenanceJobName.CleanupSessions:
        return this.sessions.run();
      default:
        throw new Error(`unknown job ${String(job.name satisfies never)} on ${METRICS_MAINTENANCE_QUEUE}`);
    }
  }
}

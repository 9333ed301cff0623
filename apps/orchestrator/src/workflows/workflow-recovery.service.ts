import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { OrchestratorConfig } from '@app/config';
import {
  ORCHESTRATOR_MAINTENANCE_QUEUE,
  OrchestratorMaintenanceJobName,
  RecoverWorkflowsJob,
} from '@app/contracts';
import { StepQueues, WorkflowStore } from '@app/workflow-store';
import { Queue } from 'bullmq';

const WORKFLOWS_PER_RUN = 1000;

/**
 * Heals workflows whose ready steps were never queued: a gateway that died between recording a
 * workflow (or a resume) and queueing its steps. Every RECOVERY_INTERVAL_SECONDS, on a BullMQ job
 * scheduler (one replica per run), it queues again the READY steps of unfinished workflows that
 * have not moved for that long. Steps already waiting in the queue keep their job (same job id),
 * so nothing runs twice.
 */
@Injectable()
export class WorkflowRecovery implements OnApplicationBootstrap {
  private readonly logger = new Logger(WorkflowRecovery.name);

  constructor(
    private readonly store: WorkflowStore,
    private readonly config: OrchestratorConfig,
    @InjectQueue(ORCHESTRATOR_MAINTENANCE_QUEUE) private readonly maintenance: Queue<RecoverWorkflowsJob>,
    private readonly steps: StepQueues,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.maintenance.upsertJobScheduler(
      OrchestratorMaintenanceJobName.RecoverWorkflows,
      { every: this.config.RECOVERY_INTERVAL_SECONDS * 1000 },
      {
        name: OrchestratorMaintenanceJobName.RecoverWorkflows,
        data: {},
        opts: { removeOnComplete: 100, removeOnFail: 100 },
      },
    );
  }

  /** Returns how many workflows it handed steps over for. */
  async recover(): Promise<number> {
    const idle = await this.store.findIdleUnfinished({
      idleMs: this.config.RECOVERY_INTERVAL_SECONDS * 1000,
      limit: WORKFLOWS_PER_RUN,
    });
    for (const { workflowId, readySteps } of idle) await this.steps.add(workflowId, readySteps);
    if (idle.length > 0) {
      this.logger.warn(
        `queued again the ready steps of ${idle.length} workflow(s) idle for ${this.config.RECOVERY_INTERVAL_SECONDS} s: ` +
          idle
            .map(
              ({ workflowId, readySteps }) =>
                `${workflowId} (${readySteps.map((step) => step.stepId).join(', ')})`,
            )
            .join('; '),
      );
    }
    return idle.length;
  }
}

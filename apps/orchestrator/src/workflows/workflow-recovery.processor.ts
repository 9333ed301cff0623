import { Processor, WorkerHost } from '@nestjs/bullmq';
import {
  ORCHESTRATOR_MAINTENANCE_QUEUE,
  OrchestratorMaintenanceJobName,
  RecoverWorkflowsJob,
} from '@app/contracts';
import { Job } from 'bullmq';
import { WorkflowRecovery } from './workflow-recovery.service';

/** Consumes `orchestrator.maintenance`. */
@Processor(ORCHESTRATOR_MAINTENANCE_QUEUE)
export class WorkflowRecoveryProcessor extends WorkerHost {
  constructor(private readonly recovery: WorkflowRecovery) {
    super();
  }

  async process(job: Job<RecoverWorkflowsJob, number, OrchestratorMaintenanceJobName>): Promise<number> {
    switch (job.name) {
      case OrchestratorMaintenanceJobName.RecoverWorkflows:
        return this.recovery.recover();
      default:
        throw new Error(
          `unknown job ${String(job.name satisfies never)} on ${ORCHESTRATOR_MAINTENANCE_QUEUE}`,
        );
    }
  }
}

import { OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { StartWorkflowJob, WORKFLOWS_QUEUE, WorkflowJobName } from '@app/contracts';
import { Job } from 'bullmq';
import { WorkflowEngine } from './workflow-engine.service';

/** Consumes `orchestrator.workflows`: starts each workflow the gateway accepted. */
@Processor(WORKFLOWS_QUEUE, { concurrency: 50 })
export class WorkflowsProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(private readonly engine: WorkflowEngine) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.on('failed', (job, error) => this.engine.reportJobFailure(WORKFLOWS_QUEUE, job?.id, error));
  }

  async process(job: Job<StartWorkflowJob, void, WorkflowJobName>): Promise<void> {
    switch (job.name) {
      case WorkflowJobName.StartWorkflow:
      case WorkflowJobName.ResumeWorkflow:
        return this.engine.start(job.data.workflowId);
      default:
        throw new Error(`unknown job ${String(job.name satisfies never)} on ${WORKFLOWS_QUEUE}`);
    }
  }
}

import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { EnvironmentConfig } from '@app/config';
import { ExecuteStepJob, WORKFLOW_STEPS_QUEUE, WorkflowStepJobName } from '@app/contracts';
import { Job } from 'bullmq';
import { WorkflowEngine } from './workflow-engine.service';

/**
 * Consumes `orchestrator.workflow-steps`: one job per step attempt. Created idle so the validated
 * config can set its concurrency and lock before it takes work; a worker killed mid-step stops
 * renewing its lock and BullMQ hands the job to another worker after `STEP_LOCK_MS`.
 */
@Processor(WORKFLOW_STEPS_QUEUE, { autorun: false, maxStalledCount: 10 })
export class StepsProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(StepsProcessor.name);
  private isClosing = false;

  constructor(
    private readonly engine: WorkflowEngine,
    private readonly config: EnvironmentConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    const options = this.worker.opts as { lockDuration?: number; stalledInterval?: number };
    options.lockDuration = this.config.STEP_LOCK_MS;
    options.stalledInterval = this.config.STEP_LOCK_MS;
    this.worker.concurrency = this.config.STEP_CONCURRENCY;
    this.worker.on('failed', (job, error) =>
      this.engine.reportJobFailure(WORKFLOW_STEPS_QUEUE, job?.id, error),
    );
    void this.worker.run();
  }

  /**
   * Shutdown begins: stop taking jobs and finish the ones in hand now, while every connection is
   * still open (Nest closes workers only after the HTTP server, and Redis clients at the same time).
   */
  async onModuleDestroy(): Promise<void> {
    this.isClosing = true;
    this.logger.log(
      `shutting down: finishing ${this.worker.concurrency} slot(s) of steps in hand, taking no new ones`,
    );
    await this.worker.close();
  }

  async process(job: Job<ExecuteStepJob, void, WorkflowStepJobName>): Promise<void> {
    switch (job.name) {
      case WorkflowStepJobName.ExecuteStep:
        // A worker that is closing finishes the step in hand but claims no further one.
        return this.engine.executeStep(job.data, job.id ?? '', () => !this.isClosing);
      default:
        throw new Error(`unknown job ${String(job.name satisfies never)} on ${WORKFLOW_STEPS_QUEUE}`);
    }
  }
}

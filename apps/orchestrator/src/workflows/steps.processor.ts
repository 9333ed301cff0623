import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { OrchestratorConfig } from '@app/config';
import { ExecuteStepJob, WORKFLOW_STEPS_QUEUE, WorkflowStepJobName } from '@app/contracts';
import { Job, Worker } from 'bullmq';
import { WorkflowEngine } from './workflow-engine.service';

/**
 * Slots one BullMQ worker serves. A BullMQ worker takes jobs from the wait list one round trip
 * at a time, so a single worker with many slots leaves slots idle while jobs wait (measured: with
 * 50 slots, 13 idle and 9 jobs waiting on average under load). The process's `STEP_CONCURRENCY`
 * is therefore split across workers of at most this many slots, each fetching on its own.
 */
const SLOTS_PER_WORKER = 10;

type StepJob = Job<ExecuteStepJob, void, WorkflowStepJobName>;

/**
 * Consumes `orchestrator.workflow-steps`: one job per step attempt. Created idle so the validated
 * config can set its concurrency and lock before it takes work; a worker killed mid-step stops
 * renewing its lock and BullMQ hands the job to another worker after `STEP_LOCK_MS`.
 */
@Processor(WORKFLOW_STEPS_QUEUE, { autorun: false, maxStalledCount: 10 })
export class StepsProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(StepsProcessor.name);
  private isClosing = false;
  /** The workers beside Nest's own, when `STEP_CONCURRENCY` needs more than one. */
  private readonly extraWorkers: Worker[] = [];

  constructor(
    private readonly engine: WorkflowEngine,
    private readonly config: OrchestratorConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    const workerCount = Math.ceil(this.config.STEP_CONCURRENCY / SLOTS_PER_WORKER);
    const slots = (index: number) =>
      Math.floor(this.config.STEP_CONCURRENCY / workerCount) +
      (index < this.config.STEP_CONCURRENCY % workerCount ? 1 : 0);
    const options = this.worker.opts;
    Object.assign(options, {
      lockDuration: this.config.STEP_LOCK_MS,
      stalledInterval: this.config.STEP_LOCK_MS,
    });
    this.worker.concurrency = slots(0);
    for (let index = 1; index < workerCount; index++) {
      this.extraWorkers.push(
        new Worker(WORKFLOW_STEPS_QUEUE, (job: Job) => this.process(job as StepJob), {
          connection: options.connection,
          prefix: options.prefix,
          maxStalledCount: options.maxStalledCount,
          lockDuration: options.lockDuration,
          stalledInterval: options.stalledInterval,
          // One stalled-job check per process is enough: Nest's worker runs it.
          skipStalledCheck: true,
          concurrency: slots(index),
          autorun: false,
        }),
      );
    }
    for (const worker of this.workers()) {
      worker.on('failed', (job, error) => this.engine.reportJobFailure(WORKFLOW_STEPS_QUEUE, job?.id, error));
      void worker.run();
    }
  }

  /**
   * Shutdown begins: stop taking jobs and finish the ones in hand now, while every connection is
   * still open (Nest closes workers only after the HTTP server, and Redis clients at the same time).
   */
  async onModuleDestroy(): Promise<void> {
    this.isClosing = true;
    this.logger.log(
      `shutting down: finishing ${this.config.STEP_CONCURRENCY} slot(s) of steps in hand, taking no new ones`,
    );
    await Promise.all(this.workers().map((worker) => worker.close()));
  }

  async process(job: StepJob): Promise<void> {
    switch (job.name) {
      case WorkflowStepJobName.ExecuteStep:
        // A worker that is closing finishes the step in hand but claims no further one.
        return this.engine.executeStep(job.data, job.id ?? '', () => !this.isClosing);
      default:
        throw new Error(`unknown job ${String(job.name satisfies never)} on ${WORKFLOW_STEPS_QUEUE}`);
    }
  }

  private workers(): Worker[] {
    return [this.worker, ...this.extraWorkers];
  }
}

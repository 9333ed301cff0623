import { ExecuteStepJob, WorkflowStepJobName, queueKeyPrefix } from '@app/contracts';
import { QueueConnection } from '@app/redis';
import { DelayedError, Job, Worker } from 'bullmq';
import { describeError } from '../agent-errors';
import { StepAdmissions } from './step-admissions';
import { StepRunner } from './step-runner';
import { WorkerLogger } from './worker-logger';

/**
 * Slots one BullMQ worker serves. A BullMQ worker takes jobs from the wait list one round trip
 * at a time, so a single worker with many slots leaves slots idle while jobs wait (measured: with
 * 50 slots, 13 idle and 9 jobs waiting on average under load). A queue's slots are therefore
 * split across BullMQ workers of at most this many slots, each fetching on its own.
 */
const SLOTS_PER_WORKER = 10;

type StepJob = Job<ExecuteStepJob, void, WorkflowStepJobName>;

export interface StepConsumersOptions {
  /** Each BullMQ worker opens its own (blocking) connection from it; closed after them. */
  connection: QueueConnection;
  /** The deployment's key prefix; each queue's own is queueKeyPrefix's. */
  prefix: string;
  /** The agent queues to consume. */
  queues: string[];
  /** Steps run at once, per queue. */
  concurrency: number;
  /** Milliseconds before BullMQ deems a step of a dead worker stalled and hands it to another. */
  lockMs: number;
}

/**
 * Consumes the queues of the agents a worker serves: one job per step attempt. A worker killed
 * mid-step stops renewing its lock, and BullMQ hands the job to another worker after `lockMs`.
 */
export class StepConsumers {
  private isClosing = false;
  private readonly workers: Worker<ExecuteStepJob, void, WorkflowStepJobName>[] = [];

  constructor(
    private readonly runner: StepRunner,
    private readonly admissions: StepAdmissions,
    private readonly options: StepConsumersOptions,
    private readonly logger: WorkerLogger,
  ) {}

  start(): void {
    const { concurrency, queues } = this.options;
    const perQueue = Math.ceil(concurrency / SLOTS_PER_WORKER);
    const slots = (index: number) =>
      Math.floor(concurrency / perQueue) + (index < concurrency % perQueue ? 1 : 0);
    for (const queue of queues) {
      for (let index = 0; index < perQueue; index++) {
        const worker = new Worker<ExecuteStepJob, void, WorkflowStepJobName>(
          queue,
          (job, token) => this.process(job, token),
          {
            connection: this.options.connection.connection,
            prefix: queueKeyPrefix(this.options.prefix, queue),
            concurrency: slots(index),
            lockDuration: this.options.lockMs,
            stalledInterval: this.options.lockMs,
            maxStalledCount: 10,
            // One stalled-job check per queue and process is enough.
            skipStalledCheck: index > 0,
          },
        );
        // A job that threw is an infrastructure fault: agent failures never throw out of a step.
        worker.on('failed', (job, error) =>
          this.logger.error(`job ${job?.id ?? '?'} on ${queue} failed: ${describeError(error)}`),
        );
        worker.on('error', (error) => this.logger.error(`queue ${queue}: ${error.message}`));
        this.workers.push(worker);
      }
    }
  }

  /** Stops taking jobs and finishes the ones in hand, claiming no further steps. */
  async close(): Promise<void> {
    this.isClosing = true;
    await Promise.all(this.workers.map((worker) => worker.close()));
    await this.options.connection.close();
  }

  private async process(job: StepJob, token: string | undefined): Promise<void> {
    switch (job.name) {
      case WorkflowStepJobName.ExecuteStep:
        return this.executeStep(job, token);
      default:
        throw new Error(`unknown job ${String(job.name satisfies never)} on ${job.queueName}`);
    }
  }

  /**
   * Runs a job's step once flow control admits it. A step that may not begin yet goes back to
   * its queue delayed by what the limiter computed (moveToDelayed + DelayedError: BullMQ counts
   * no attempt, and other jobs on the queue keep flowing, unlike the queue-wide RateLimitError);
   * its attempt is unspent and its READY state says why it waits.
   */
  private async executeStep(job: StepJob, token: string | undefined): Promise<void> {
    const admission = await this.admissions.admit(job);
    if (!admission.admitted) {
      await job.moveToDelayed(Date.now() + admission.retryInMs, token);
      throw new DelayedError();
    }
    try {
      // A worker that is closing finishes the step in hand but claims no further one.
      await this.runner.executeStep(job.data, job.id ?? '', () => !this.isClosing, admission.release);
    } finally {
      await admission.release();
    }
  }
}

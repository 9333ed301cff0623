import { ExecuteStepJob, WorkflowStepJobName, queueKeyPrefix } from '@app/contracts';
import { QueueConnection } from '@app/redis';
import { StepQueuePartitions } from '@app/workflow-store';
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
  /** How many partitions each queue has now: every one is consumed. */
  partitions: StepQueuePartitions;
  /** Steps run at once, per queue (over all its partitions; at least one per partition). */
  concurrency: number;
  /** Milliseconds before BullMQ deems a step of a dead worker stalled and hands it to another. */
  lockMs: number;
}

/**
 * Consumes the queues of the agents a worker serves: one job per step attempt, from every
 * partition of each queue. A worker killed mid-step stops renewing its lock, and BullMQ hands the
 * job to another worker after `lockMs`.
 */
export class StepConsumers {
  private isClosing = false;
  /** The BullMQ workers of each queue's partitions: `[queue][partition]` holds that partition's. */
  private readonly workers = new Map<string, Worker<ExecuteStepJob, void, WorkflowStepJobName>[][]>();

  constructor(
    private readonly runner: StepRunner,
    private readonly admissions: StepAdmissions,
    private readonly options: StepConsumersOptions,
    private readonly logger: WorkerLogger,
  ) {}

  async start(): Promise<void> {
    this.serve(await this.options.partitions.count());
  }

  /**
   * Takes up the partitions a raised count added (the worker's heartbeat asks): their workers
   * start, and the queue's slots are shared out again over all of them.
   */
  async refresh(): Promise<void> {
    const count = await this.options.partitions.count();
    const serving = this.workers.get(this.options.queues[0])?.length ?? 0;
    if (count > serving && !this.isClosing) {
      this.logger.log(`step queues now have ${count} partitions (were ${serving}): consuming them all`);
      this.serve(count);
    }
  }

  private serve(partitions: number): void {
    const slots = shareSlots(this.options.concurrency, partitions);
    for (const queue of this.options.queues) {
      const byPartition = this.workers.get(queue) ?? [];
      this.workers.set(queue, byPartition);
      for (let partition = 0; partition < partitions; partition++) {
        const existing = byPartition[partition];
        if (existing) {
          // A partition already served keeps its workers; their slots shrink to its new share.
          const shares = shareSlots(slots[partition], existing.length);
          existing.forEach((worker, index) => (worker.concurrency = shares[index]));
          continue;
        }
        const perWorker = shareSlots(slots[partition], Math.ceil(slots[partition] / SLOTS_PER_WORKER));
        byPartition[partition] = perWorker.map((concurrency, index) =>
          this.consume(queue, partition, concurrency, index > 0),
        );
      }
    }
  }

  private consume(
    queue: string,
    partition: number,
    concurrency: number,
    skipStalledCheck: boolean,
  ): Worker<ExecuteStepJob, void, WorkflowStepJobName> {
    const worker = new Worker<ExecuteStepJob, void, WorkflowStepJobName>(
      queue,
      (job, token) => this.process(job, token),
      {
        connection: this.options.connection.connection,
        prefix: queueKeyPrefix(this.options.prefix, queue, partition),
        concurrency,
        lockDuration: this.options.lockMs,
        stalledInterval: this.options.lockMs,
        maxStalledCount: 10,
        // One stalled-job check per queue partition and process is enough.
        skipStalledCheck,
      },
    );
    const where = partition === 0 ? queue : `${queue} partition ${partition}`;
    // A job that threw is an infrastructure fault: agent failures never throw out of a step.
    worker.on('failed', (job, error) =>
      this.logger.error(`job ${job?.id ?? '?'} on ${where} failed: ${describeError(error)}`),
    );
    worker.on('error', (error) => this.logger.error(`queue ${where}: ${error.message}`));
    return worker;
  }

  /** Stops taking jobs and finishes the ones in hand, claiming no further steps. */
  async close(): Promise<void> {
    this.isClosing = true;
    const workers = [...this.workers.values()].flat(2);
    await Promise.all(workers.map((worker) => worker.close()));
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

/** `total` slots shared over `parts` as evenly as can be, each part at least one. */
export function shareSlots(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, index) =>
    Math.max(1, Math.floor(total / parts) + (index < total % parts ? 1 : 0)),
  );
}

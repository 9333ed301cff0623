import {
  AGENT_STEPS_QUEUE_PREFIX,
  ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE,
  ApprovalDeadlineJobName,
  ExecuteStepJob,
  ExpireApprovalJob,
  StepJobFlow,
  STEP_QUEUE_PARTITION_COUNTS,
  WorkflowStepJobName,
  queueKeyPrefix,
} from '@app/contracts';
import { DEFAULT_WORKFLOW_PRIORITY, FairShare, FairShareOrigin } from '@app/flow-control';
import { JobsOptions, Queue } from 'bullmq';
import { RedisClient } from '@app/redis';
import { AgentDirectory } from './agent-directory';
import { StepQueuePartitions, stepQueuePartitionOf } from './step-queue-partitions';
import { WorkflowMeta } from './workflow-records';
import { WorkflowStore } from './workflow-store';
import { StepDispatch } from './workflow-transition-results';

/**
 * Queue options of one step attempt. The job id is unique per attempt (attempt numbers go on
 * across retries and resumes), so handing the same attempt over twice (after a crash, or by the
 * recovery job) queues it once while the first job exists; the store refuses to run a committed
 * step in any case. BullMQ's own retries cover infrastructure faults (Redis away); agent
 * failures are retried by the engine as new, delayed jobs.
 */
export function stepJobOptions(workflowId: string, stepId: string, attempt: number): JobsOptions {
  return {
    jobId: `${workflowId}.${stepId}.${attempt}`,
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 10000 },
    attempts: 5,
    backoff: { type: 'exponential', delay: 500 },
  };
}

/**
 * The workflow and step a step job is of, read from its id (see {@link stepJobOptions}; workflow
 * ids are UUIDs, with no dot; the attempt is the last part).
 */
export function stepOfStepJob(jobId: string): { workflowId: string; stepId: string } {
  const afterWorkflow = jobId.indexOf('.');
  return {
    workflowId: jobId.slice(0, afterWorkflow),
    stepId: jobId.slice(afterWorkflow + 1, jobId.lastIndexOf('.')),
  };
}

/**
 * Who a workflow's steps run for, as their jobs carry it (StepJobFlow): the tenant and priority
 * that order the queue, and whether the workflow has a budget of its own.
 */
export interface StepOrigin extends FairShareOrigin {
  hasBudget?: boolean;
}

/** A retry's job: after `delayMs`, with the attempt's own time limit when it has one. */
export interface StepRetry {
  delayMs: number;
  timeoutMs?: number;
}

/**
 * Hands steps to the queues of their agents (`steps.<agent>@<major>`), one BullMQ queue object
 * per queue name and partition (StepQueuePartitions) on one shared connection. With a directory
 * and a store, a step queued where no live worker serves its agent is marked as waiting for one
 * (its state and an event say so), so the workflow never hangs silently; it runs as soon as a
 * worker appears.
 */
export class StepQueues {
  private readonly queues = new Map<string, Queue<ExecuteStepJob>>();
  private deadlines?: Queue<ExpireApprovalJob>;

  constructor(
    private readonly connection: RedisClient,
    /** The deployment's key prefix (`REDIS_PREFIX`); each queue's own is queueKeyPrefix's. */
    private readonly prefix: string,
    /** How many partitions each step queue has, and which one a step goes to. */
    readonly partitions: StepQueuePartitions,
    private readonly watch?: { directory: AgentDirectory; store: WorkflowStore },
    /** Orders each queue's jobs fairly between tenants, and by priority within one (see FairShare). */
    private readonly fairShare?: FairShare,
  ) {}

  /** One partition of a step queue (partition 0 is the whole queue when it is not split). */
  queue(name: string, partition = 0): Queue<ExecuteStepJob> {
    const key = `${name}#${partition}`;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = new Queue<ExecuteStepJob>(name, {
        connection: this.connection,
        prefix: queueKeyPrefix(this.prefix, name, partition),
      });
      this.queues.set(key, queue);
    }
    return queue;
  }

  /** Every partition of a step queue, as recorded now. */
  async partitionsOf(name: string): Promise<Queue<ExecuteStepJob>[]> {
    const count = await this.partitions.count();
    return Array.from({ length: count }, (_, partition) => this.queue(name, partition));
  }

  /**
   * A step job, looked up in its step's partition: the one it has now, then the ones it had
   * under the smaller counts before a raise (a job queued then stays where it was put).
   */
  async job(name: string, jobId: string) {
    const count = await this.partitions.count();
    const { workflowId, stepId } = stepOfStepJob(jobId);
    const places = new Set(
      STEP_QUEUE_PARTITION_COUNTS.filter((earlier) => earlier <= count)
        .reverse()
        .map((earlier) => stepQueuePartitionOf(workflowId, stepId, earlier)),
    );
    for (const partition of places) {
      const job = await this.queue(name, partition).getJob(jobId);
      if (job) return job;
    }
    return undefined;
  }

  /**
   * Queues each step's attempt on its agent's queue. One step (the usual case: a workflow's root,
   * a retry) is a plain add: BullMQ wraps a bulk add in a MULTI transaction, which cost more than
   * the add itself when every workflow went through it.
   */
  async add(
    workflowId: string,
    dispatches: StepDispatch[],
    retry?: StepRetry,
    /** Who the workflow runs for, when the caller holds it; read from the store otherwise. */
    origin?: StepOrigin,
  ): Promise<void> {
    // An approval step waits for a person, not a worker: only its deadline is queued.
    await this.addDeadlines(
      workflowId,
      dispatches.filter((step) => step.queue === ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE),
    );
    const steps = dispatches.filter((step) => step.queue !== ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE);
    if (steps.length === 0) return;
    const byQueue = new Map<string, StepDispatch[]>();
    for (const step of steps) byQueue.set(step.queue, [...(byQueue.get(step.queue) ?? []), step]);
    const fairOrigin = this.fairShare ? (origin ?? (await this.originOf(workflowId))) : undefined;
    const partitions = await this.partitions.count();
    await Promise.all(
      [...byQueue].map(async ([name, dispatches]) => {
        const jobs = await Promise.all(
          dispatches.map(async ({ stepId, attempt, hasWorkflowLimits }) => {
            const place = fairOrigin && (await this.fairShare!.queued(name, fairOrigin));
            const flow: StepJobFlow | undefined = fairOrigin &&
              place && {
                tenantId: fairOrigin.tenantId,
                priority: fairOrigin.priority,
                band: place.band,
                ...(hasWorkflowLimits ? { hasWorkflowLimits } : {}),
                ...(fairOrigin.hasBudget ? { hasBudget: true } : {}),
              };
            return {
              name: WorkflowStepJobName.ExecuteStep,
              data: {
                workflowId,
                stepId,
                attempt,
                ...(retry?.timeoutMs ? { timeoutMs: retry.timeoutMs } : {}),
                ...(flow ? { flow } : {}),
              },
              opts: {
                ...stepJobOptions(workflowId, stepId, attempt),
                ...(retry ? { delay: retry.delayMs } : {}),
                ...(place ? { priority: place.jobPriority } : {}),
              },
            };
          }),
        );
        const byPartition = new Map<number, typeof jobs>();
        for (const job of jobs) {
          const partition = stepQueuePartitionOf(workflowId, job.data.stepId, partitions);
          byPartition.set(partition, [...(byPartition.get(partition) ?? []), job]);
        }
        await Promise.all(
          [...byPartition].map(async ([partition, inPartition]) => {
            const queue = this.queue(name, partition);
            if (inPartition.length === 1)
              await queue.add(inPartition[0].name, inPartition[0].data, inPartition[0].opts);
            else await queue.addBulk(inPartition);
          }),
        );
      }),
    );
    if (this.watch) await this.markUnserved(workflowId, byQueue);
  }

  /** The tenant and priority of a workflow whose caller did not say (a recovery, an approval). */
  private async originOf(workflowId: string): Promise<StepOrigin | undefined> {
    const found = await this.watch?.store.metaAndGraph(workflowId);
    return found ? stepOriginOf(found.meta) : undefined;
  }

  /** A delayed job per approval step with a deadline, due then; one per attempt (its job id). */
  private async addDeadlines(workflowId: string, approvals: StepDispatch[]): Promise<void> {
    for (const { stepId, attempt, deadlineMs } of approvals) {
      if (deadlineMs === undefined) continue;
      this.deadlines ??= new Queue<ExpireApprovalJob>(ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE, {
        connection: this.connection,
        prefix: queueKeyPrefix(this.prefix, ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE),
      });
      await this.deadlines.add(
        ApprovalDeadlineJobName.ExpireApproval,
        { workflowId, stepId },
        { ...stepJobOptions(workflowId, stepId, attempt), delay: deadlineMs },
      );
    }
  }

  /** Closes its queues and then their connection. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.queues.values(), ...(this.deadlines ? [this.deadlines] : [])].map((queue) => queue.close()),
    );
    this.queues.clear();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  private async markUnserved(workflowId: string, byQueue: Map<string, StepDispatch[]>): Promise<void> {
    const { directory, store } = this.watch!;
    const live = await directory.liveQueues();
    for (const [name, dispatches] of byQueue) {
      if (live.has(name)) continue;
      await store.markWaiting(
        workflowId,
        dispatches.map((step) => step.stepId),
        unservedReason(name),
      );
    }
  }
}

/** What a step on a queue without a live worker waits for, in its state and events. */
export function unservedReason(queue: string): string {
  return `no live worker serves ${queue.slice(AGENT_STEPS_QUEUE_PREFIX.length)}`;
}

/** Who a workflow's steps run for, read from its meta (see {@link StepOrigin}). */
export const stepOriginOf = (meta: WorkflowMeta): StepOrigin => ({
  tenantId: meta.tenantId,
  priority: meta.priority ?? DEFAULT_WORKFLOW_PRIORITY,
  ...(meta.hasBudget ? { hasBudget: true } : {}),
});

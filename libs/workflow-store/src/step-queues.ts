import { AGENT_STEPS_QUEUE_PREFIX, ExecuteStepJob, WorkflowStepJobName } from '@app/contracts';
import { JobsOptions, Queue } from 'bullmq';
import Redis from 'ioredis';
import { AgentDirectory } from './agent-directory';
import { StepDispatch, WorkflowStore } from './workflow-store';

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

/** A retry's job: after `delayMs`, with the attempt's own time limit when it has one. */
export interface StepRetry {
  delayMs: number;
  timeoutMs?: number;
}

/**
 * Hands steps to the queues of their agents (`steps.<agent>@<major>`), one BullMQ queue object
 * per queue name on one shared connection. With a directory and a store, a step queued where no
 * live worker serves its agent is marked as waiting for one (its state and an event say so), so
 * the workflow never hangs silently; it runs as soon as a worker appears.
 */
export class StepQueues {
  private readonly queues = new Map<string, Queue<ExecuteStepJob>>();

  constructor(
    private readonly connection: Redis,
    /** BullMQ's key prefix (`REDIS_PREFIX`). */
    private readonly prefix: string,
    private readonly watch?: { directory: AgentDirectory; store: WorkflowStore },
  ) {}

  queue(name: string): Queue<ExecuteStepJob> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue<ExecuteStepJob>(name, { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  /**
   * Queues each step's attempt on its agent's queue. One step (the usual case: a workflow's root,
   * a retry) is a plain add: BullMQ wraps a bulk add in a MULTI transaction, which cost more than
   * the add itself when every workflow went through it.
   */
  async add(workflowId: string, steps: StepDispatch[], retry?: StepRetry): Promise<void> {
    if (steps.length === 0) return;
    const byQueue = new Map<string, StepDispatch[]>();
    for (const step of steps) byQueue.set(step.queue, [...(byQueue.get(step.queue) ?? []), step]);
    await Promise.all(
      [...byQueue].map(async ([name, dispatches]) => {
        const jobs = dispatches.map(({ stepId, attempt }) => ({
          name: WorkflowStepJobName.ExecuteStep,
          data: { workflowId, stepId, attempt, ...(retry?.timeoutMs ? { timeoutMs: retry.timeoutMs } : {}) },
          opts: {
            ...stepJobOptions(workflowId, stepId, attempt),
            ...(retry ? { delay: retry.delayMs } : {}),
          },
        }));
        const queue = this.queue(name);
        if (jobs.length === 1) await queue.add(jobs[0].name, jobs[0].data, jobs[0].opts);
        else await queue.addBulk(jobs);
      }),
    );
    if (this.watch) await this.markUnserved(workflowId, byQueue);
  }

  /** Closes its queues and then their connection. */
  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
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

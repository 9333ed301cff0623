import { ExecuteStepJob, WorkflowStepJobName } from '@app/contracts';
import { JobsOptions, Queue } from 'bullmq';
import { StepDispatch } from './workflow-store';

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
 * Queues each step's attempt on `orchestrator.workflow-steps`. One step (the usual case: a
 * workflow's root, a retry) is a plain add: BullMQ wraps a bulk add in a MULTI transaction, which
 * cost more than the add itself when every workflow went through it.
 */
export async function queueSteps(
  queue: Queue<ExecuteStepJob>,
  workflowId: string,
  steps: StepDispatch[],
): Promise<void> {
  const jobs = steps.map(({ stepId, attempt }) => ({
    name: WorkflowStepJobName.ExecuteStep,
    data: { workflowId, stepId, attempt },
    opts: stepJobOptions(workflowId, stepId, attempt),
  }));
  if (jobs.length === 1) await queue.add(jobs[0].name, jobs[0].data, jobs[0].opts);
  else if (jobs.length > 1) await queue.addBulk(jobs);
}

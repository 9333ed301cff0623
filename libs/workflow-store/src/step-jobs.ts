import { ExecuteStepJob, WorkflowStepJobName } from '@app/contracts';
import { JobsOptions, Queue } from 'bullmq';

/**
 * Queue options of one step attempt. The job id is deterministic, so handing the same step over
 * twice (after a crash) queues it once while the first job exists; the store refuses to run a
 * committed step in any case. BullMQ's own retries cover infrastructure faults (Redis away);
 * agent failures are retried by the engine as new, delayed jobs.
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

/** Queues the first attempt of each step on `orchestrator.workflow-steps`. */
export async function queueSteps(
  queue: Queue<ExecuteStepJob>,
  workflowId: string,
  stepIds: string[],
): Promise<void> {
  if (stepIds.length === 0) return;
  await queue.addBulk(
    stepIds.map((stepId) => ({
      name: WorkflowStepJobName.ExecuteStep,
      data: { workflowId, stepId, attempt: 1 },
      opts: stepJobOptions(workflowId, stepId, 1),
    })),
  );
}

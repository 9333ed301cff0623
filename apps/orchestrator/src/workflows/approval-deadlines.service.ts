import { Injectable, Logger } from '@nestjs/common';
import { ExpireApprovalJob } from '@app/contracts';
import { StepQueues, WorkflowStore } from '@app/workflow-store';

/**
 * Applies an approval step's deadline when its delayed job comes due: if nobody decided, the
 * step's `onTimeout` fails the workflow or approves it with the default, whose successors are
 * queued here. A step decided meanwhile is left as it is.
 */
@Injectable()
export class ApprovalDeadlines {
  private readonly logger = new Logger(ApprovalDeadlines.name);

  constructor(
    private readonly store: WorkflowStore,
    private readonly steps: StepQueues,
  ) {}

  /** Returns what the deadline did: `approved`, `failed`, or why it did nothing. */
  async expire({ workflowId, stepId }: ExpireApprovalJob): Promise<string> {
    const result = await this.store.expireApproval(workflowId, stepId);
    if (result.outcome === 'approved') await this.steps.add(workflowId, result.readySteps);
    if (result.outcome === 'approved' || result.outcome === 'failed')
      this.logger.log(`deadline of approval step ${stepId} of workflow ${workflowId}: ${result.outcome}`);
    return result.outcome;
  }
}

import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DecideApprovalRequest, WorkflowState } from '@app/contracts';
import { ApprovalDecisionResult, StepQueues, WorkflowStore } from '@app/workflow-store';
import { Caller } from '../auth/caller';
import { WorkflowsService } from './workflows.service';

/** Who decided, in logs and errors: the API key, never the key itself. */
const actorOf = (caller: Caller) => `key ${caller.keyId}`;

/**
 * A person's hand on a running workflow: approving or rejecting its approval steps, pausing and
 * resuming it. Allowed to an admin key and to a client key of the workflow's tenant; another
 * tenant's workflow is answered as missing.
 */
@Injectable()
export class WorkflowControl {
  constructor(
    private readonly workflows: WorkflowsService,
    private readonly store: WorkflowStore,
    private readonly steps: StepQueues,
  ) {}

  /** Completes a waiting approval step with the payload (or `{ approved: true, by, comment }`). */
  async approve(
    workflowId: string,
    stepId: string,
    request: DecideApprovalRequest,
    caller: Caller,
  ): Promise<WorkflowState> {
    await this.workflows.get(workflowId, caller);
    const by = actorOf(caller);
    const result = await this.store.decideApproval({
      workflowId,
      stepId,
      decision: 'approve',
      output: request.payload ?? { approved: true, by, comment: request.comment ?? null },
      message: `step ${stepId} approved by ${by}${request.comment ? `: ${request.comment}` : ''}`,
    });
    if (result.outcome === 'approved') await this.steps.add(workflowId, result.readySteps);
    else this.refuse(workflowId, stepId, result);
    return this.workflows.get(workflowId, caller);
  }

  /** Rejects a waiting approval step: the workflow ends FAILED, its error naming the step and who. */
  async reject(
    workflowId: string,
    stepId: string,
    request: DecideApprovalRequest,
    caller: Caller,
  ): Promise<WorkflowState> {
    if (request.payload !== undefined)
      throw new BadRequestException('a rejection takes no payload; give the reason as comment');
    await this.workflows.get(workflowId, caller);
    const result = await this.store.decideApproval({
      workflowId,
      stepId,
      decision: 'fail',
      message: `rejected by ${actorOf(caller)}${request.comment ? `: ${request.comment}` : ''}`,
    });
    if (result.outcome !== 'failed') this.refuse(workflowId, stepId, result);
    return this.workflows.get(workflowId, caller);
  }

  async pause(workflowId: string, caller: Caller): Promise<WorkflowState> {
    await this.workflows.get(workflowId, caller);
    const result = await this.store.pause(workflowId, `workflow paused by ${actorOf(caller)}`);
    if (result.outcome === 'missing') throw new NotFoundException(`workflow ${workflowId} does not exist`);
    if (result.outcome === 'not-active') {
      throw new ConflictException(
        `workflow ${workflowId} is ${result.status}; only a PENDING, RUNNING or WAITING workflow can be paused`,
      );
    }
    return this.workflows.get(workflowId, caller);
  }

  /** Queues exactly the steps the pause held, and the workflow goes on. */
  async resume(workflowId: string, caller: Caller): Promise<WorkflowState> {
    await this.workflows.get(workflowId, caller);
    const result = await this.store.unpause(workflowId, `workflow resumed by ${actorOf(caller)}`);
    if (result.outcome === 'missing') throw new NotFoundException(`workflow ${workflowId} does not exist`);
    if (result.outcome === 'not-paused') {
      throw new ConflictException(
        `workflow ${workflowId} is ${result.status}, not PAUSED` +
          (result.status === 'FAILED' ? '; a FAILED workflow is resumed with POST /workflows/:id/retry' : ''),
      );
    }
    // The answer is the state the resume left, read before its steps are queued: read after, a
    // short workflow may already have finished, and the caller would not see that it resumed.
    const resumed = await this.workflows.get(workflowId, caller);
    await this.steps.add(workflowId, result.readySteps);
    return resumed;
  }

  private refuse(workflowId: string, stepId: string, result: ApprovalDecisionResult): never {
    switch (result.outcome) {
      case 'missing':
        throw new NotFoundException(`workflow ${workflowId} does not exist`);
      case 'no-step':
        throw new NotFoundException(`workflow ${workflowId} has no step "${stepId}"`);
      case 'not-approval':
        throw new ConflictException(`step "${stepId}" of workflow ${workflowId} is not an approval step`);
      case 'not-waiting':
        throw new ConflictException(
          `step "${stepId}" of workflow ${workflowId} is not waiting for approval ` +
            `(the step is ${result.lifecycle}, the workflow ${result.status})`,
        );
      default:
        // 'approved' or 'failed' where the decision asked could not give it.
        throw new Error(`unexpected approval outcome ${result.outcome}`);
    }
  }
}

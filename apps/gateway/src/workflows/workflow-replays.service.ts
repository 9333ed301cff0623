import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import {
  ReplayWorkflowRequest,
  ReplayWorkflowResponse,
  WorkflowDiffResponse,
  WorkflowState,
} from '@app/contracts';
import { inSpan } from '@app/agent-sdk';
import { StepQueues, WorkflowStore, traceParentOf } from '@app/workflow-store';
import { Caller } from '../auth/caller';
import { DiffSide, diffWorkflows } from './workflow-diff';
import { WorkflowDefinitions } from './workflow-definitions.service';
import { checkWorkflowInput } from './workflow-input.check';
import { WorkflowsService } from './workflows.service';

/**
 * Replays a workflow from one of its steps (a new workflow that reuses the recorded outputs of
 * the steps before it), and compares two workflows step by step.
 */
@Injectable()
export class WorkflowReplays {
  constructor(
    private readonly store: WorkflowStore,
    private readonly workflows: WorkflowsService,
    private readonly definitions: WorkflowDefinitions,
    private readonly steps: StepQueues,
  ) {}

  /**
   * Starts the replay: the same type, tenant, session and graph as the original, its input with
   * `request.input`'s fields replacing the original's (checked against the type's schema). The
   * original's outputs must still be in Redis: 409 when they are not.
   */
  async replay(
    workflowId: string,
    request: ReplayWorkflowRequest,
    caller: Caller,
    /** The new workflow's id: a caller that may run twice (a bulk job) passes the same one each time. */
    newWorkflowId: string = this.store.newWorkflowId({ replayOf: workflowId }),
  ): Promise<ReplayWorkflowResponse> {
    const original = await this.workflows.get(workflowId, caller);
    if (!original.steps.some((step) => step.stepId === request.fromStep)) {
      throw new BadRequestException(
        `fromStep must be a step of workflow ${workflowId} (${original.steps.map((step) => step.stepId).join(', ')}); got "${request.fromStep}"`,
      );
    }
    const input = await this.replayInput(original, request.input);
    const replayOf = { workflowId, fromStep: request.fromStep };
    return inSpan(
      `replay_workflow ${original.type}`,
      { attributes: { 'ao.workflow.type': original.type, 'ao.tenant.id': original.tenantId } },
      async (span) => {
        const result = await this.store.replay({
          workflowId: newWorkflowId,
          type: original.type,
          tenantId: original.tenantId,
          sessionId: original.sessionId,
          input,
          preferences: original.preferences,
          traceparent: traceParentOf(span.spanContext()),
          replayOf,
        });
        switch (result.outcome) {
          case 'created':
            span.setAttributes({ 'ao.workflow.id': result.workflowId, 'ao.workflow.replay_of': workflowId });
            await this.steps.add(result.workflowId, result.readySteps);
            return { workflowId: result.workflowId, replayOf, reusedSteps: result.reusedSteps };
          case 'gone':
            throw new ConflictException(
              `workflow ${workflowId} can no longer be replayed: its recorded outputs are kept in Redis only until it is archived (WORKFLOW_STATE_TTL_HOURS after it finishes), and they are gone; start a new workflow instead`,
            );
          case 'unknown-step':
            throw new BadRequestException(
              `fromStep must be a step of workflow ${workflowId} (${result.steps.join(', ')}); got "${request.fromStep}"`,
            );
          case 'not-completed':
            throw new ConflictException(
              `step "${result.stepId}" of workflow ${workflowId} is ${result.lifecycle}, so it has no output to reuse; replay from it or from a step before it`,
            );
          default:
            return result satisfies never;
        }
      },
    );
  }

  /** Both workflows step by step; 404 for either unknown or of another tenant. */
  async diff(workflowId: string, otherWorkflowId: string, caller: Caller): Promise<WorkflowDiffResponse> {
    // Both are read at once; when neither may be seen, the error names the first, whichever answer
    // came back first (on a Redis Cluster the two live on different nodes).
    const [workflow, other] = await Promise.allSettled(
      [workflowId, otherWorkflowId].map((id) => this.workflows.get(id, caller)),
    );
    if (workflow.status === 'rejected') throw workflow.reason;
    if (other.status === 'rejected') throw other.reason;
    return diffWorkflows(await this.sideOf(workflow.value), await this.sideOf(other.value));
  }

  /** The original's input with the given fields replaced, aliases renamed, checked whole. */
  private async replayInput(
    original: WorkflowState,
    edited: Record<string, unknown> | undefined,
  ): Promise<Record<string, unknown>> {
    if (edited === undefined) return original.input;
    // A type deleted since keeps its stored graph: its input is then taken as given.
    const compiled = await this.definitions.compiledOf(original.type);
    const renamed = checkWorkflowInput(edited, { inputAliases: compiled?.inputAliases });
    return checkWorkflowInput({ ...original.input, ...renamed }, compiled ?? {});
  }

  /** A workflow's state and outputs; outputs null once its state has left Redis (archived). */
  private async sideOf(state: WorkflowState): Promise<DiffSide> {
    if (!(await this.store.get(state.workflowId))) return { state, outputs: null };
    try {
      const outputs = await Promise.all(
        state.steps.map(
          async (step) => [step.stepId, await this.store.output(state.workflowId, step.stepId)] as const,
        ),
      );
      return { state, outputs: new Map(outputs.filter(([, output]) => output !== undefined)) };
    } catch {
      // A large output expired meanwhile: the outputs can no longer be compared.
      return { state, outputs: null };
    }
  }
}

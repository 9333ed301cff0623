import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import {
  ListLogsQuery,
  ListWorkflowsQuery,
  LogPage,
  StartWorkflowRequest,
  WorkflowEvent,
  WorkflowFilter,
  WorkflowPage,
  WorkflowState,
} from '@app/contracts';
import {
  InvalidCursorError,
  LogEntriesRepository,
  WorkflowRecordsRepository,
  WorkflowRunsRepository,
} from '@app/persistence';
import { inSpan } from '@app/agent-sdk';
import { BudgetStore, DEFAULT_WORKFLOW_PRIORITY } from '@app/flow-control';
import { StepQueues, WorkflowStore, traceParentOf } from '@app/workflow-store';
import { Caller, canAccessTenant } from '../auth/caller';
import { WorkflowDefinitions } from './workflow-definitions.service';
import { checkWorkflowInput } from './workflow-input.check';

/** A cursor no page returned is the client's mistake: 400. */
function answerBadCursor(error: unknown): never {
  throw error instanceof InvalidCursorError ? new BadRequestException(error.message) : error;
}

@Injectable()
export class WorkflowsService {
  constructor(
    private readonly store: WorkflowStore,
    private readonly definitions: WorkflowDefinitions,
    private readonly logEntries: LogEntriesRepository,
    private readonly workflowRecords: WorkflowRecordsRepository,
    private readonly workflowRuns: WorkflowRunsRepository,
    private readonly steps: StepQueues,
    private readonly budgets: BudgetStore,
  ) {}

  /**
   * Checks the input against the type's schema (422 naming every wrong field, and nothing
   * recorded), records the workflow as PENDING and queues it for the orchestrator; answers at
   * once. The same idempotency key within 24 h returns the first workflow instead of starting
   * another.
   */
  async start(
    request: StartWorkflowRequest,
    caller: Caller,
    idempotencyKey?: string,
  ): Promise<{ workflowId: string; isNew: boolean }> {
    const compiled = await this.definitions.toStart(request.type, request.preferences);
    if (!compiled) {
      throw new BadRequestException(
        `type must be a known workflow type (${(await this.definitions.types()).join(', ')}); got "${request.type}"`,
      );
    }
    const input = checkWorkflowInput(request.input, compiled);
    const graph = await this.definitions.graphToStart(compiled);
    const workflowId = this.store.newWorkflowId({ tenantId: caller.tenantId, idempotencyKey });
    // Before it exists, so no step of it can begin unbudgeted (unused if the idempotency key answers another).
    if (request.budget) await this.budgets.set('workflow', workflowId, request.budget);
    // The workflow's root span: the store keeps its traceparent, and every step continues it.
    return inSpan(
      `start_workflow ${request.type}`,
      { attributes: { 'ao.workflow.type': request.type, 'ao.tenant.id': caller.tenantId } },
      async (span) => {
        const created = await this.store.create(
          {
            workflowId,
            type: request.type,
            tenantId: caller.tenantId,
            sessionId: request.sessionId,
            input,
            preferences: request.preferences ?? {},
            traceparent: traceParentOf(span.spanContext()),
            priority: request.priority ?? DEFAULT_WORKFLOW_PRIORITY,
            ...(request.budget ? { hasBudget: true } : {}),
          },
          graph,
          idempotencyKey,
        );
        span.setAttributes({ 'ao.workflow.id': created.workflowId, 'ao.workflow.is_new': created.isNew });
        // Queued even for a repeated key: the job ids dedupe, and a crash between the two calls is healed.
        await this.steps.add(created.workflowId, created.readySteps, undefined, {
          tenantId: caller.tenantId,
          priority: request.priority ?? DEFAULT_WORKFLOW_PRIORITY,
          ...(request.budget ? { hasBudget: true } : {}),
        });
        return created;
      },
    );
  }

  /** Another tenant's workflow is answered as missing: a client cannot learn that it exists. */
  async get(workflowId: string, caller: Caller): Promise<WorkflowState> {
    const state = await this.liveOrArchived(workflowId);
    if (!state || !canAccessTenant(caller, state.tenantId))
      throw new NotFoundException(`workflow ${workflowId} does not exist`);
    return state;
  }

  /**
   * Newest first, from the PostgreSQL projection (a moment behind Redis). A client key lists its
   * own tenant's workflows only; an admin key lists all, or one tenant's with `tenantId`.
   */
  async list(query: ListWorkflowsQuery, caller: Caller): Promise<WorkflowPage> {
    this.checkFilter(query, caller);
    const tenantId = caller.role === 'admin' ? query.tenantId : caller.tenantId;
    return this.workflowRuns.list({ ...query, tenantId }).catch(answerBadCursor);
  }

  /** What a filter may not ask, answered before any query: another tenant (403), from not before to (400). */
  checkFilter(filter: WorkflowFilter, caller: Caller): void {
    if (caller.role !== 'admin' && filter.tenantId !== undefined && filter.tenantId !== caller.tenantId) {
      throw new ForbiddenException('a client key lists only the workflows of its own tenant');
    }
    if (
      filter.from !== undefined &&
      filter.to !== undefined &&
      Date.parse(filter.from) >= Date.parse(filter.to)
    ) {
      throw new BadRequestException('from must be before to');
    }
  }

  /** A workflow's state from Redis while it is there, then from its PostgreSQL archive. */
  private async liveOrArchived(workflowId: string): Promise<WorkflowState | null> {
    return (await this.store.get(workflowId)) ?? (await this.workflowRecords.get(workflowId));
  }

  async cancel(workflowId: string, caller: Caller): Promise<WorkflowState> {
    await this.get(workflowId, caller);
    const result = await this.store.cancel(workflowId);
    if (result.outcome === 'missing') throw new NotFoundException(`workflow ${workflowId} does not exist`);
    if (result.outcome === 'terminal') {
      throw new ConflictException(
        `workflow ${workflowId} is already ${result.status} and cannot be cancelled`,
      );
    }
    return this.get(workflowId, caller);
  }

  async logs(workflowId: string, query: ListLogsQuery, caller: Caller): Promise<LogPage> {
    // Logs outlive the archived state too; without either the tenant is unknown, so only admins read them.
    const state = await this.liveOrArchived(workflowId);
    if (state && !canAccessTenant(caller, state.tenantId))
      throw new NotFoundException(`workflow ${workflowId} does not exist`);
    const page = await this.logEntries.search({ workflowId, ...query }).catch(answerBadCursor);
    if (!state && (caller.role !== 'admin' || page.total === 0))
      throw new NotFoundException(`workflow ${workflowId} does not exist`);
    return page;
  }

  async retry(workflowId: string, caller: Caller): Promise<WorkflowState> {
    await this.get(workflowId, caller);
    const result = await this.store.resume(workflowId);
    if (result.outcome === 'missing') throw new NotFoundException(`workflow ${workflowId} does not exist`);
    if (result.outcome === 'not-failed') {
      throw new ConflictException(
        `workflow ${workflowId} is ${result.status}; only a FAILED workflow can be retried`,
      );
    }
    await this.steps.add(workflowId, result.readySteps);
    return this.get(workflowId, caller);
  }

  async output(
    workflowId: string,
    stepId: string,
    caller: Caller,
  ): Promise<{ stepId: string; output: unknown }> {
    await this.get(workflowId, caller);
    const output = await this.store.output(workflowId, stepId);
    if (output === undefined)
      throw new NotFoundException(`workflow ${workflowId} has no output of step "${stepId}"`);
    return { stepId, output };
  }

  async eventsAfter(workflowId: string, afterEventId: number, caller: Caller): Promise<WorkflowEvent[]> {
    await this.get(workflowId, caller);
    return this.store.eventsAfter(workflowId, afterEventId);
  }
}

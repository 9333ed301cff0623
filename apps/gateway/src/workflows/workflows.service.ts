import { randomUUID } from 'node:crypto';
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
  WorkflowPage,
  WorkflowState,
  WorkflowStatus,
  WorkflowSummary,
} from '@app/contracts';
import { InvalidCursorError, LogEntriesRepository, WorkflowRecordsRepository } from '@app/persistence';
import { StepQueues, WorkflowStore } from '@app/workflow-store';
import { Caller, canAccessTenant } from '../auth/caller';
import { WorkflowDefinitions } from './workflow-definitions.service';
import { checkWorkflowInput } from './workflow-input.check';

/** Workflows read from the store at a time while filtering a listing. */
const LISTING_CHUNK = 200;

@Injectable()
export class WorkflowsService {
  constructor(
    private readonly store: WorkflowStore,
    private readonly definitions: WorkflowDefinitions,
    private readonly logEntries: LogEntriesRepository,
    private readonly workflowRecords: WorkflowRecordsRepository,
    private readonly steps: StepQueues,
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
    const compiled = await this.definitions.compiledOf(request.type);
    if (!compiled) {
      throw new BadRequestException(
        `type must be a known workflow type (${(await this.definitions.types()).join(', ')}); got "${request.type}"`,
      );
    }
    const input = checkWorkflowInput(request.input, compiled);
    const created = await this.store.create(
      {
        workflowId: randomUUID(),
        type: request.type,
        tenantId: caller.tenantId,
        sessionId: request.sessionId,
        input,
        preferences: request.preferences ?? {},
      },
      await this.definitions.graphToStart(compiled),
      idempotencyKey,
    );
    // Queued even for a repeated key: the job ids dedupe, and a crash between the two calls is healed.
    await this.steps.add(created.workflowId, created.readySteps);
    return created;
  }

  /** Another tenant's workflow is answered as missing: a client cannot learn that it exists. */
  async get(workflowId: string, caller: Caller): Promise<WorkflowState> {
    const state = await this.liveOrArchived(workflowId);
    if (!state || !canAccessTenant(caller, state.tenantId))
      throw new NotFoundException(`workflow ${workflowId} does not exist`);
    return state;
  }

  /**
   * Newest first. A client key lists its own tenant's workflows only; an admin key lists all, or
   * one tenant's with `tenantId`.
   */
  async list(query: ListWorkflowsQuery, caller: Caller): Promise<WorkflowPage> {
    if (caller.role !== 'admin' && query.tenantId !== undefined && query.tenantId !== caller.tenantId) {
      throw new ForbiddenException('a client key lists only the workflows of its own tenant');
    }
    const tenantId = caller.role === 'admin' ? query.tenantId : caller.tenantId;
    const { status, type, offset, limit } = query;
    const live =
      tenantId === undefined && type === undefined
        ? await this.store.list({ status, offset, limit })
        : await this.listFiltered({ status, type, tenantId, offset, limit });
    return this.withArchived(live, { status, type, tenantId, offset, limit });
  }

  /** A workflow's state from Redis while it is there, then from its PostgreSQL archive. */
  private async liveOrArchived(workflowId: string): Promise<WorkflowState | null> {
    return (await this.store.get(workflowId)) ?? (await this.workflowRecords.get(workflowId));
  }

  /**
   * Fills a page past the end of the Redis listing from the archive: Redis holds running and
   * recently finished workflows, the retention job moves older finished ones to PostgreSQL. The
   * listing is Redis's (newest first) followed by the archive's (newest first), so across the
   * seam it is not strictly by creation time; `total` counts both.
   */
  private async withArchived(
    live: WorkflowPage,
    filter: { status?: WorkflowStatus; type?: string; tenantId?: string; offset: number; limit: number },
  ): Promise<WorkflowPage> {
    const end = filter.offset + filter.limit;
    const room = Math.max(0, end - Math.max(filter.offset, live.total));
    const archived = await this.workflowRecords.list({
      ...filter,
      offset: Math.max(0, filter.offset - live.total),
      limit: room,
    });
    // A workflow archived but not yet removed from Redis would otherwise be listed twice.
    const listed = new Set(live.items.map((item) => item.workflowId));
    return {
      ...live,
      items: [...live.items, ...archived.items.filter((item) => !listed.has(item.workflowId))],
      total: live.total + archived.total,
    };
  }

  /**
   * The store indexes workflows by status only, so tenant and type are filtered here, reading the
   * status index in chunks; `total` counts every match.
   */
  private async listFiltered(filter: {
    status?: WorkflowStatus;
    type?: string;
    tenantId?: string;
    offset: number;
    limit: number;
  }): Promise<WorkflowPage> {
    const items: WorkflowSummary[] = [];
    let total = 0;
    for (let offset = 0; ; offset += LISTING_CHUNK) {
      const chunk = await this.store.list({ status: filter.status, offset, limit: LISTING_CHUNK });
      const candidates = chunk.items.filter((item) => filter.type === undefined || item.type === filter.type);
      const tenants = await Promise.all(
        candidates.map(async (item) =>
          filter.tenantId === undefined ? undefined : (await this.store.get(item.workflowId))?.tenantId,
        ),
      );
      candidates.forEach((item, index) => {
        if (filter.tenantId !== undefined && tenants[index] !== filter.tenantId) return;
        if (total >= filter.offset && items.length < filter.limit) items.push(item);
        total += 1;
      });
      if (offset + LISTING_CHUNK >= chunk.total) break;
    }
    return { items, total, offset: filter.offset, limit: filter.limit };
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
    const page = await this.logEntries.search({ workflowId, ...query }).catch((error: unknown) => {
      throw error instanceof InvalidCursorError ? new BadRequestException(error.message) : error;
    });
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

import { randomUUID } from 'node:crypto';
import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import {
  ListLogsQuery,
  ListWorkflowsQuery,
  LogEntry,
  StartWorkflowJob,
  StartWorkflowRequest,
  WORKFLOWS_QUEUE,
  WorkflowEvent,
  WorkflowJobName,
  WorkflowPage,
  WorkflowState,
} from '@app/contracts';
import { LogEntriesRepository } from '@app/persistence';
import { WorkflowStore } from '@app/workflow-store';
import { Queue } from 'bullmq';
import { WorkflowDefinitions } from './workflow-definitions.service';

/** Until API keys land, every caller acts for this tenant. */
export const DEFAULT_TENANT = 'default';

@Injectable()
export class WorkflowsService {
  constructor(
    private readonly store: WorkflowStore,
    private readonly definitions: WorkflowDefinitions,
    private readonly logEntries: LogEntriesRepository,
    @InjectQueue(WORKFLOWS_QUEUE) private readonly queue: Queue<StartWorkflowJob>,
  ) {}

  /**
   * Records the workflow as PENDING and queues it for the orchestrator; answers at once. The
   * same idempotency key within 24 h returns the first workflow instead of starting another.
   */
  async start(
    request: StartWorkflowRequest,
    idempotencyKey?: string,
  ): Promise<{ workflowId: string; isNew: boolean }> {
    const graph = await this.definitions.graphOf(request.type);
    if (!graph) {
      throw new BadRequestException(
        `type must be a known workflow type (${(await this.definitions.types()).join(', ')}); got "${request.type}"`,
      );
    }
    const created = await this.store.create(
      {
        workflowId: randomUUID(),
        type: request.type,
        tenantId: DEFAULT_TENANT,
        sessionId: request.sessionId,
        input: request.input,
        preferences: request.preferences ?? {},
      },
      graph,
      idempotencyKey,
    );
    // Queued even for a repeated key: the job id dedupes, and a crash between the two calls is healed.
    await this.queue.add(
      WorkflowJobName.StartWorkflow,
      { workflowId: created.workflowId },
      {
        jobId: created.workflowId,
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 10000 },
        attempts: 10,
        backoff: { type: 'exponential', delay: 500 },
      },
    );
    return created;
  }

  async get(workflowId: string): Promise<WorkflowState> {
    const state = await this.store.get(workflowId);
    if (!state) throw new NotFoundException(`workflow ${workflowId} does not exist`);
    return state;
  }

  list(query: ListWorkflowsQuery): Promise<WorkflowPage> {
    return this.store.list(query);
  }

  async cancel(workflowId: string): Promise<WorkflowState> {
    const result = await this.store.cancel(workflowId);
    if (result.outcome === 'missing') throw new NotFoundException(`workflow ${workflowId} does not exist`);
    if (result.outcome === 'terminal') {
      throw new ConflictException(
        `workflow ${workflowId} is already ${result.status} and cannot be cancelled`,
      );
    }
    return this.get(workflowId);
  }

  async logs(workflowId: string, query: ListLogsQuery): Promise<{ items: LogEntry[]; total: number }> {
    const page = await this.logEntries.find({ workflowId, ...query });
    if (page.total === 0 && !(await this.store.get(workflowId))) {
      throw new NotFoundException(`workflow ${workflowId} does not exist`);
    }
    return page;
  }

  async eventsAfter(workflowId: string, afterEventId: number): Promise<WorkflowEvent[]> {
    await this.get(workflowId);
    return this.store.eventsAfter(workflowId, afterEventId);
  }
}

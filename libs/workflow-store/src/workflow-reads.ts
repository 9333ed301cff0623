// The workflow store's reads: a workflow's state, outputs, meta and events as Redis holds them,
// and the indexes the recovery and retention jobs page through. Nothing here changes a workflow
// (the transitions in workflow-transitions.ts do), so no read goes through the function library.
import {
  AgentLifecycle,
  StepState,
  SubStepState,
  WorkflowEvent,
  WorkflowMetrics,
  WorkflowState,
  WorkflowStatus,
  emptyWorkflowMetrics,
} from '@app/contracts';
import { RedisClient } from '@app/redis';
import { childStepId } from './fan-out';
import { parseEventMessage } from './workflow-events.wire';
import { WorkflowGraph } from './workflow-graph';
import { WorkflowMeta, WorkflowRecords, WorkflowStoreOptions } from './workflow-records';
import { traceIdOf } from './workflow-trace';
import { StepDispatch, dispatchOf } from './workflow-transition-results';

/** The fields of a workflow's hash that `get` reads besides its steps; meta first. */
const STATE_FIELDS = [
  'meta',
  'graphId',
  'status',
  'metrics',
  'error',
  'result',
  'createdAt',
  'updatedAt',
  'finishedAt',
  'llmCalls',
  'llmTokens',
  'errorCount',
  'retryCount',
  'done',
  'seq',
  'iterations',
] as const;

/** Transitions read at a time when replaying a workflow's events. */
const EVENT_PAGE = 100;

/** Reads of workflows in Redis, as the transitions left them. */
export class WorkflowReads {
  constructor(
    private readonly redis: RedisClient,
    private readonly options: WorkflowStoreOptions,
    private readonly records: WorkflowRecords,
  ) {}

  /** A step's output, with a stored large output read back in full; undefined when there is none. */
  async output(workflowId: string, stepId: string): Promise<unknown> {
    const raw = await this.redis.hget(this.records.keys.workflow(workflowId), `out:${stepId}`);
    if (raw === null) return undefined;
    const holder = { output: JSON.parse(raw) as unknown };
    await this.records.resolveReferences(holder, workflowId);
    return holder.output;
  }

  /**
   * Which of `workflowIds` are cancelled: one pipelined read of their statuses, for the
   * workers' sweep that stands behind the cancellations channel (pub/sub drops what is published
   * while a subscriber reconnects).
   */
  async cancelledAmong(workflowIds: string[]): Promise<string[]> {
    if (workflowIds.length === 0) return [];
    const statuses = await Promise.all(
      workflowIds.map((id) => this.redis.hget(this.records.keys.workflow(id), 'status')),
    );
    return workflowIds.filter((_, index) => statuses[index] === WorkflowStatus.Cancelled);
  }

  /**
   * A workflow's meta and graph, for what must be known of a step before it begins (flow
   * control's limit keys and the workflow type's limits): one read, the graph from memory.
   */
  async metaAndGraph(workflowId: string): Promise<{ meta: WorkflowMeta; graph: WorkflowGraph } | null> {
    const [meta, graphId] = await this.redis.hmget(this.records.keys.workflow(workflowId), 'meta', 'graphId');
    if (meta === null || graphId === null) return null;
    return { meta: JSON.parse(meta) as WorkflowMeta, graph: await this.records.graph(graphId, workflowId) };
  }

  /** The `traceparent` the workflow was started under, when tracing was on; undefined otherwise. */
  async traceParent(workflowId: string): Promise<string | undefined> {
    const meta = await this.redis.hget(this.records.keys.workflow(workflowId), 'meta');
    return meta ? (JSON.parse(meta) as WorkflowMeta).traceparent : undefined;
  }

  async get(workflowId: string): Promise<WorkflowState | null> {
    // Field by field, not HGETALL: the hash also holds the steps' outputs, which can be large. The
    // graph names the step fields; the state itself is read in one command, so it is consistent.
    const key = this.records.keys.workflow(workflowId);
    const graphId = await this.redis.hget(key, 'graphId');
    if (!graphId) return null;
    const graph = await this.records.graph(graphId, workflowId);
    const values = await this.redis.hmget(
      key,
      ...STATE_FIELDS,
      ...graph.order.map((stepId) => `step:${stepId}`),
    );
    if (!values[0]) return null; // removed meanwhile
    const hash: Record<string, string | undefined> = {};
    STATE_FIELDS.forEach((field, index) => (hash[field] = values[index] ?? undefined));
    const meta = JSON.parse(values[0]) as WorkflowMeta;
    const stepStates = values.slice(STATE_FIELDS.length);
    // Until the workflow finishes, its metrics are kept as counters and per-step times.
    const live = emptyWorkflowMetrics();
    for (const counter of ['llmCalls', 'llmTokens', 'errorCount', 'retryCount'] as const)
      live[counter] = Number(hash[counter] ?? 0);
    if (hash.iterations) live.iterations = JSON.parse(hash.iterations) as Record<string, number>;
    const fannedOut = new Map<string, number>();
    const steps: StepState[] = graph.order.map((stepId, index) => {
      const step = JSON.parse(stepStates[index] as string) as Partial<StepState> & {
        lifecycle: AgentLifecycle;
        durationMs?: number;
        waitingFor?: string;
        llmCalls?: number;
        llmTokens?: number;
        isReused?: boolean;
        /** A fan-out step's count of work items, once it has fanned out. */
        items?: number;
        /** Set by a quality loop on the steps it sent back (see revision-scripts.lua.ts). */
        iteration?: number;
        maxIterations?: number;
      };
      if (step.items) fannedOut.set(stepId, step.items);
      if (step.durationMs !== undefined) live.agentDurationsMs[stepId] = step.durationMs;
      return {
        stepId,
        agent: graph.agents[stepId],
        dependsOn: graph.deps[stepId],
        lifecycle: step.lifecycle,
        attempts: step.attempts ?? 0,
        startedAt: step.startedAt ?? null,
        finishedAt: step.finishedAt ?? null,
        error: step.error ?? null,
        waitingFor: step.waitingFor ?? null,
        llmCalls: step.llmCalls ?? 0,
        llmTokens: step.llmTokens ?? 0,
        ...(step.isReused ? { isReused: true } : {}),
        ...(step.iteration
          ? { iteration: { current: step.iteration, max: step.maxIterations ?? step.iteration } }
          : {}),
      };
    });
    await this.readSubSteps(key, steps, fannedOut);
    return {
      workflowId: meta.workflowId,
      type: meta.type,
      status: hash.status as WorkflowStatus,
      tenantId: meta.tenantId,
      sessionId: meta.sessionId,
      input: meta.input,
      preferences: meta.preferences,
      traceId: traceIdOf(meta.traceparent),
      steps,
      metrics: hash.metrics ? (JSON.parse(hash.metrics) as WorkflowMetrics) : live,
      error: hash.error ?? null,
      result: hash.result ? (JSON.parse(hash.result) as Record<string, unknown>) : null,
      createdAt: hash.createdAt as string,
      updatedAt: hash.updatedAt as string,
      finishedAt: hash.finishedAt ?? null,
      completedSteps: Number(hash.done ?? 0),
      totalSteps: graph.order.length,
      lastEventId: Number(hash.seq ?? 0),
      ...(meta.replayOf ? { replayOf: meta.replayOf } : {}),
    };
  }

  /**
   * Adds to each fan-out step that has fanned out its sub-steps' states, read after the steps' (so
   * a sub-step may be a transition ahead of its step).
   */
  private async readSubSteps(key: string, steps: StepState[], fannedOut: Map<string, number>): Promise<void> {
    await Promise.all(
      steps.map(async (step) => {
        const count = fannedOut.get(step.stepId);
        if (!count) return;
        const ids = Array.from({ length: count }, (_, item) => childStepId(step.stepId, item));
        const states = await this.redis.hmget(key, ...ids.map((id) => `step:${id}`));
        step.subSteps = states.map((json, item) => {
          const sub = JSON.parse(json ?? '{}') as Partial<SubStepState>;
          return {
            item,
            lifecycle: sub.lifecycle ?? AgentLifecycle.Registered,
            attempts: sub.attempts ?? 0,
            startedAt: sub.startedAt ?? null,
            finishedAt: sub.finishedAt ?? null,
            error: sub.error ?? null,
          };
        });
      }),
    );
  }

  /**
   * PENDING, RUNNING or WAITING workflows not updated for `idleMs`, with their READY steps: the
   * candidates whose steps may never have been queued. Of each status, the `limit` oldest over
   * every shard's index are looked at.
   */
  async findIdleUnfinished(params: {
    idleMs: number;
    limit: number;
  }): Promise<{ workflowId: string; readySteps: StepDispatch[] }[]> {
    const { keys } = this.records;
    const oldest = async (status: WorkflowStatus): Promise<string[]> => {
      const pages = await Promise.all(
        keys
          .allShards()
          .map((shard) =>
            this.redis.zrange(keys.statusIndex(status, shard), 0, params.limit - 1, 'WITHSCORES'),
          ),
      );
      const entries: [string, number][] = [];
      for (const page of pages)
        for (let i = 0; i < page.length; i += 2) entries.push([page[i], Number(page[i + 1])]);
      return entries
        .sort((a, b) => a[1] - b[1])
        .slice(0, params.limit)
        .map(([workflowId]) => workflowId);
    };
    const ids = (
      await Promise.all([WorkflowStatus.Pending, WorkflowStatus.Running, WorkflowStatus.Waiting].map(oldest))
    ).flat();
    const idleBefore = Date.now() - params.idleMs;
    const found: { workflowId: string; readySteps: StepDispatch[] }[] = [];
    for (const workflowId of ids) {
      const state = await this.get(workflowId);
      if (!state || Date.parse(state.updatedAt) > idleBefore) continue;
      if (![WorkflowStatus.Pending, WorkflowStatus.Running, WorkflowStatus.Waiting].includes(state.status))
        continue;
      const graphId = await this.redis.hget(this.records.keys.workflow(workflowId), 'graphId');
      if (!graphId) continue;
      const graph = await this.records.graph(graphId, workflowId);
      // A READY step's next attempt: 1, or the retry or resumed attempt whose job may be waiting.
      const readySteps = [
        ...state.steps
          .filter((step) => step.lifecycle === AgentLifecycle.Ready)
          .map((step) => dispatchOf(graph, step.stepId, step.attempts + 1)),
        // A fan-out's sub-steps, READY in its fan-out step's place.
        ...state.steps.flatMap((step) =>
          (step.subSteps ?? [])
            .filter((sub) => sub.lifecycle === AgentLifecycle.Ready)
            .map((sub) => dispatchOf(graph, childStepId(step.stepId, sub.item), sub.attempts + 1)),
        ),
      ];
      if (readySteps.length > 0) found.push({ workflowId, readySteps });
    }
    return found;
  }

  /**
   * Ids in a shard's index of `status` of workflows created before `createdBeforeMs`, oldest
   * first (a page from `offset`). A workflow finishes after it is created, so every workflow that
   * finished before a time is among those created before it.
   */
  idsCreatedBefore(
    status: WorkflowStatus,
    shard: number,
    createdBeforeMs: number,
    offset: number,
    limit: number,
  ): Promise<string[]> {
    return this.redis.zrangebyscore(
      this.records.keys.statusIndex(status, shard),
      '-inf',
      `(${createdBeforeMs}`,
      'LIMIT',
      offset,
      limit,
    );
  }

  /** The recorded events after `afterEventId`, in order (the log is bounded to recent events). */
  async eventsAfter(workflowId: string, afterEventId: number): Promise<WorkflowEvent[]> {
    // One entry per transition, oldest first: read pages back from the newest until an entry
    // reaches `afterEventId`. An entry appended meanwhile shifts the pages, hence the map by id.
    const key = this.records.keys.events(workflowId);
    const found = new Map<number, WorkflowEvent>();
    for (let end = -1; ; end -= EVENT_PAGE) {
      const page = await this.redis.lrange(key, end - EVENT_PAGE + 1, end);
      const events = page.flatMap(parseEventMessage);
      for (const event of events) if (event.eventId > afterEventId) found.set(event.eventId, event);
      if (page.length < EVENT_PAGE || (events[0]?.eventId ?? 0) <= afterEventId) break;
    }
    return [...found.values()].sort((a, b) => a.eventId - b.eventId);
  }
}

import { createHash, randomUUID } from 'node:crypto';
import {
  AgentLifecycle,
  StepState,
  WorkflowEvent,
  WorkflowMetrics,
  WorkflowPage,
  WorkflowState,
  WorkflowStatus,
  WorkflowSummary,
  LogLevel,
  emptyWorkflowMetrics,
} from '@app/contracts';
import Redis from 'ioredis';
import { WorkflowGraph, stepQueueOf } from './workflow-graph';
import { WORKFLOW_LIBRARY, WorkflowScript } from './workflow-scripts.lua';
import { OutputReference, isOutputReference } from './output-reference';

/** What a workflow is created with and never changes: that part of its state. */
export type WorkflowMeta = Pick<
  WorkflowState,
  'workflowId' | 'type' | 'tenantId' | 'sessionId' | 'input' | 'preferences'
>;

/** An event as stored: its workflow and time are those of the transition that caused it. */
type StoredEvent = Omit<WorkflowEvent, 'workflowId' | 'timestamp'>;

function withTransition(events: StoredEvent[], workflowId: string, timestamp: string): WorkflowEvent[] {
  return events.map((event) => ({ ...event, workflowId, timestamp }) as WorkflowEvent);
}

const MESSAGE_START = '{"workflowId":"';

/**
 * The workflow a message on {@link WorkflowStore.eventsChannel} is about, read without parsing it:
 * every message starts with its workflow id (workflow-scripts.lua.ts writes them). '' for any other.
 */
export function eventMessageWorkflowId(message: string): string {
  if (!message.startsWith(MESSAGE_START)) return '';
  return message.slice(MESSAGE_START.length, message.indexOf('"', MESSAGE_START.length));
}

/** The events of one published message on {@link WorkflowStore.eventsChannel}, in event-id order. */
export function parseEventMessage(message: string): WorkflowEvent[] {
  const { workflowId, timestamp, events } = JSON.parse(message) as {
    workflowId: string;
    timestamp: string;
    events: StoredEvent[];
  };
  return withTransition(events, workflowId, timestamp);
}

/**
 * A step to hand to the queue of its agent, and the attempt the job runs (its job id is unique
 * per attempt).
 */
export interface StepDispatch {
  stepId: string;
  attempt: number;
  queue: string;
}

const firstAttempts = (graph: WorkflowGraph, stepIds: string[]): StepDispatch[] =>
  stepIds.map((stepId) => ({ stepId, attempt: 1, queue: stepQueueOf(graph, stepId) }));

function dispatchPairs(graph: WorkflowGraph, flat: string[]): StepDispatch[] {
  const dispatches: StepDispatch[] = [];
  for (let i = 0; i < flat.length; i += 2)
    dispatches.push({ stepId: flat[i], attempt: Number(flat[i + 1]), queue: stepQueueOf(graph, flat[i]) });
  return dispatches;
}

/** Everything a worker needs to run one step, fenced by `runToken`. */
export interface StepExecution {
  stepId: string;
  /** The graph of its workflow, and the queue of the step's agent in it. */
  graphId: string;
  queue: string;
  /** The attempt this run of the step began with: 1, or the first attempt after a resume. */
  firstAttempt: number;
  meta: WorkflowMeta;
  agent: string;
  dependencies: Record<string, unknown>;
  runToken: string;
}

/** The answer to `beginStep`: run it, or why not. */
export type BeginStepResult =
  /** `isFirstStep`: this step moved the workflow from PENDING to RUNNING. */
  | ({ outcome: 'run'; isFirstStep: boolean } & StepExecution)
  | { outcome: 'already-completed'; readySteps: StepDispatch[] }
  | { outcome: 'inactive'; status: string }
  | { outcome: 'stale' };

export type CompleteStepResult =
  | {
      outcome: 'advanced';
      status: WorkflowStatus.Running | WorkflowStatus.Completed;
      /** Steps made ready for the queue. */
      readySteps: StepDispatch[];
      /** A step made ready and begun for the caller to run at once (when it asked to claim one). */
      claimed: StepExecution | null;
    }
  | { outcome: 'inactive'; status: string }
  | { outcome: 'stale' };

export type FailStepResult =
  { outcome: 'retry' | 'failed' | 'stale' } | { outcome: 'inactive'; status: string };

export type ResumeResult =
  | { outcome: 'resumed'; readySteps: StepDispatch[] }
  | { outcome: 'not-failed'; status: WorkflowStatus }
  | { outcome: 'missing' };

export type CancelResult =
  { outcome: 'cancelled' } | { outcome: 'terminal'; status: WorkflowStatus } | { outcome: 'missing' };

/** Hours a finished workflow outlives its TTL in Redis, so the archiving job gets several chances. */
export const FINISHED_STATE_GRACE_HOURS = 6;

export interface WorkflowStoreOptions {
  /** Namespaces every key and channel (`REDIS_PREFIX`). */
  prefix: string;
  /** Seconds a finished workflow's state, outputs and events stay in Redis. */
  finishedTtlSeconds: number;
  /**
   * Outputs whose JSON is larger than this many bytes are stored once, content-addressed, and
   * the context, state and events carry an {@link OutputReference} instead.
   */
  largeOutputBytes?: number;
}

const DEFAULT_LARGE_OUTPUT_BYTES = 64 * 1024;

const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

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
] as const;

/** Transitions read at a time when replaying a workflow's events. */
const EVENT_PAGE = 100;

/**
 * What creating a workflow of a graph writes, computed once per graph and stored in Redis once
 * (see workflow-scripts.lua.ts): the graph's hash, which includes the creation events (each step
 * REGISTERED, the roots READY, progress; ids 1..n), and the hash a new workflow starts as.
 */
interface CreationPlan {
  /** SHA-1 of the graph's JSON: equal graphs share one stored hash. */
  graphId: string;
  /** (field, value) pairs, flat. */
  graphFields: string[];
  newWorkflowFields: string[];
  roots: string[];
}

const creationPlans = new WeakMap<WorkflowGraph, CreationPlan>();

function creationPlan(graph: WorkflowGraph): CreationPlan {
  const known = creationPlans.get(graph);
  if (known) return known;
  const graphJson = JSON.stringify(graph);
  const roots = graph.order.filter((id) => graph.deps[id].length === 0);
  const stepEvents = (ids: string[], lifecycle: AgentLifecycle) =>
    ids.map((stepId) => ({
      type: 'agent_status',
      stepId,
      agent: graph.agents[stepId],
      lifecycle,
      attempt: 0,
      error: null,
    }));
  const events = [
    ...stepEvents(graph.order, AgentLifecycle.Registered),
    ...stepEvents(roots, AgentLifecycle.Ready),
    {
      type: 'progress',
      status: WorkflowStatus.Pending,
      completedSteps: 0,
      totalSteps: graph.order.length,
      percent: 0,
    },
  ].map((event, index) => ({ ...event, eventId: index + 1 }));
  const graphFields = Object.entries({
    graph: graphJson,
    order: graph.order.join(','),
    total: String(graph.order.length),
    sinks: graph.sinks.join(','),
    createEvents: JSON.stringify(events),
    createEventCount: String(events.length),
  }).flat();
  const newWorkflowFields = ['done', '0'];
  for (const id of graph.order) {
    graphFields.push(
      `deps:${id}`,
      graph.deps[id].join(','),
      `next:${id}`,
      graph.successors[id].join(','),
      `anc:${id}`,
      graph.ancestors[id].join(','),
    );
    const lifecycle = roots.includes(id) ? AgentLifecycle.Ready : AgentLifecycle.Registered;
    newWorkflowFields.push(`step:${id}`, JSON.stringify({ lifecycle, attempts: 0, agent: graph.agents[id] }));
  }
  const plan: CreationPlan = {
    graphId: createHash('sha1').update(graphJson).digest('hex'),
    graphFields,
    newWorkflowFields,
    roots,
  };
  creationPlans.set(graph, plan);
  return plan;
}

/**
 * The live state of workflows in Redis: every transition is one call of a Lua function that also
 * numbers, stores and publishes the events it causes (see workflow-scripts.lua.ts).
 */
export class WorkflowStore {
  /** Set while the function library is known to be loaded, or being loaded. */
  private libraryLoaded: Promise<void> | null = null;
  /** Ids of graphs known to be stored in Redis, and graphs read back from it (they never change). */
  private readonly storedGraphs = new Set<string>();
  private readonly graphs = new Map<string, WorkflowGraph>();

  constructor(
    private readonly redis: Redis,
    private readonly options: WorkflowStoreOptions,
  ) {}

  /** The channel every workflow event is published on: one message per transition, see {@link parseEventMessage}. */
  get eventsChannel(): string {
    return `${this.options.prefix}:workflow-events`;
  }

  /** The channel a cancelled workflow's id is published on, so workers abort its running steps. */
  get cancellationsChannel(): string {
    return `${this.options.prefix}:workflow-cancellations`;
  }

  /**
   * Creates a PENDING workflow with its root steps READY and returns them for the caller to
   * queue. The same tenant and idempotency key within 24 hours return the first workflow instead
   * (with its READY steps while it is still PENDING, so queueing them again heals a crash
   * between creating and queueing).
   */
  async create(
    meta: WorkflowMeta,
    graph: WorkflowGraph,
    idempotencyKey?: string,
  ): Promise<{ workflowId: string; isNew: boolean; readySteps: StepDispatch[] }> {
    const idemKey = idempotencyKey
      ? `${this.options.prefix}:idempotency:${meta.tenantId}:${idempotencyKey}`
      : '';
    const plan = creationPlan(graph);
    const metaJson = JSON.stringify(meta);
    const send = (withGraph: boolean) =>
      this.run('create', meta.workflowId, [
        metaJson,
        plan.graphId,
        idemKey,
        IDEMPOTENCY_TTL_SECONDS,
        ...(withGraph
          ? [
              plan.graphFields.length,
              ...plan.graphFields,
              plan.newWorkflowFields.length,
              ...plan.newWorkflowFields,
            ]
          : [0]),
      ]) as Promise<[number | 'NO_GRAPH', string, ...string[]]>;
    // The graph goes along until this store has seen it stored, and again if Redis lost it.
    let reply = await send(!this.storedGraphs.has(plan.graphId));
    if (reply[0] === 'NO_GRAPH') reply = await send(true);
    this.storedGraphs.add(plan.graphId);
    const [created, workflowId, ...readySteps] = reply;
    const isNew = created === 1;
    if (isNew) return { workflowId, isNew, readySteps: firstAttempts(graph, plan.roots) };
    // The first workflow keeps the graph (and agent versions) it was created with.
    const firstGraphId = await this.redis.hget(this.key(workflowId), 'graphId');
    const firstGraph = firstGraphId ? await this.graph(firstGraphId) : graph;
    return { workflowId, isNew, readySteps: firstAttempts(firstGraph, readySteps) };
  }

  /**
   * Marks a step EXECUTING for the worker holding queue job `jobId`. A job delivered again after
   * its step committed gets back the steps still to queue, including those it had claimed.
   */
  async beginStep(workflowId: string, stepId: string, attempt: number, jobId = ''): Promise<BeginStepResult> {
    const runToken = randomUUID();
    const reply = (await this.run('begin', workflowId, [stepId, attempt, runToken, jobId])) as string[];
    switch (reply[0]) {
      case 'RUN':
      case 'RUN_FIRST':
        return {
          outcome: 'run',
          isFirstStep: reply[0] === 'RUN_FIRST',
          ...(await this.execution(reply[1], stepId, runToken, reply.slice(2))),
        };
      case 'COMPLETED':
        return {
          outcome: 'already-completed',
          readySteps: dispatchPairs(await this.graph(reply[1]), reply.slice(2)),
        };
      case 'STALE':
        return { outcome: 'stale' };
      default:
        return { outcome: 'inactive', status: reply[1] };
    }
  }

  /**
   * Commits a step's output and readies its successors. With `claimForJob`, the first successor
   * made ready whose queue the caller serves is begun for it to run at once in the same job (eager
   * dispatch: no queue hop); if the caller dies, the job is delivered again and `beginStep` hands
   * the claim back.
   */
  async completeStep(params: {
    workflowId: string;
    /** The workflow's graph (from the step's {@link StepExecution}). */
    graphId: string;
    stepId: string;
    runToken: string;
    output: unknown;
    durationMs: number;
    llmCalls: number;
    llmTokens: number;
    /**
     * With `meta`, the workflow's meta the caller holds (the claimed step's context reuses it),
     * and the queues whose steps the caller's worker runs.
     */
    claimForJob?: { jobId: string; meta: WorkflowMeta; servedQueues: ReadonlySet<string> };
  }): Promise<CompleteStepResult> {
    const graph = await this.graph(params.graphId);
    const claim = params.claimForJob;
    const claimable = claim
      ? graph.successors[params.stepId].filter((id) => claim.servedQueues.has(stepQueueOf(graph, id)))
      : [];
    const claimToken = claimable.length > 0 ? randomUUID() : '';
    const claimJobId = params.claimForJob?.jobId ?? '';
    const reply = (await this.run('complete', params.workflowId, [
      params.stepId,
      params.runToken,
      await this.storeOutput(params.output),
      Math.round(params.durationMs),
      params.llmCalls,
      params.llmTokens,
      this.options.finishedTtlSeconds,
      claimToken,
      claimJobId,
      claimable.join(','),
    ])) as string[];
    if (reply[0] === 'STALE') return { outcome: 'stale' };
    if (reply[0] === 'INACTIVE') return { outcome: 'inactive', status: reply[1] };
    const [status, claimedStepId, count] = reply;
    const readyEnd = 3 + Number(count);
    return {
      outcome: 'advanced',
      status: status as WorkflowStatus.Running | WorkflowStatus.Completed,
      readySteps: firstAttempts(graph, reply.slice(3, readyEnd)),
      claimed:
        claimedStepId && claim
          ? await this.execution(params.graphId, claimedStepId, claimToken, reply.slice(readyEnd), claim.meta)
          : null,
    };
  }

  /** Reads [meta, agent, ancestorId, outputJson, ...] from a script's reply. */
  private async execution(
    graphId: string,
    stepId: string,
    runToken: string,
    tail: string[],
    knownMeta?: WorkflowMeta,
  ): Promise<StepExecution> {
    const [meta, agent, firstAttempt] = tail;
    const dependencies: Record<string, unknown> = {};
    for (let i = 3; i < tail.length; i += 2) dependencies[tail[i]] = JSON.parse(tail[i + 1]);
    await this.resolveReferences(dependencies);
    return {
      stepId,
      graphId,
      queue: stepQueueOf(await this.graph(graphId), stepId),
      firstAttempt: Number(firstAttempt),
      meta: knownMeta ?? (JSON.parse(meta) as WorkflowMeta),
      agent,
      dependencies,
      runToken,
    };
  }

  /** Records a failed attempt: a retry in `retryDelayMs`, or (null) the end of the workflow. */
  async failStep(params: {
    workflowId: string;
    stepId: string;
    runToken: string;
    error: string;
    durationMs: number;
    retryDelayMs: number | null;
  }): Promise<FailStepResult> {
    const reply = (await this.run('fail', params.workflowId, [
      params.stepId,
      params.runToken,
      params.error,
      Math.round(params.durationMs),
      params.retryDelayMs ?? -1,
      this.options.finishedTtlSeconds,
    ])) as string[];
    if (reply[0] === 'INACTIVE') return { outcome: 'inactive', status: reply[1] };
    return { outcome: reply[0].toLowerCase() as 'retry' | 'failed' | 'stale' };
  }

  async cancel(workflowId: string, reason = 'cancelled by request'): Promise<CancelResult> {
    const reply = (await this.run('cancel', workflowId, [
      reason,
      this.options.finishedTtlSeconds,
      randomUUID(),
    ])) as string[];
    if (reply[0] === 'CANCELLED') return { outcome: 'cancelled' };
    if (reply[0] === 'TERMINAL') return { outcome: 'terminal', status: reply[1] as WorkflowStatus };
    return { outcome: 'missing' };
  }

  /** FAILED → RUNNING, readying the failed steps again; completed steps keep their outputs. */
  async resume(workflowId: string): Promise<ResumeResult> {
    const [outcome, ...rest] = (await this.run('resume', workflowId, [randomUUID()])) as string[];
    if (outcome === 'RESUMED')
      return { outcome: 'resumed', readySteps: dispatchPairs(await this.graph(rest[0]), rest.slice(1)) };
    if (outcome === 'NOT_FAILED') return { outcome: 'not-failed', status: rest[0] as WorkflowStatus };
    return { outcome: 'missing' };
  }

  /** A step's output, with a stored large output read back in full; undefined when there is none. */
  async output(workflowId: string, stepId: string): Promise<unknown> {
    const raw = await this.redis.hget(this.key(workflowId), `out:${stepId}`);
    if (raw === null) return undefined;
    const holder = { output: JSON.parse(raw) as unknown };
    await this.resolveReferences(holder);
    return holder.output;
  }

  /**
   * Says on each of these READY steps, in its state and an event, why it cannot run yet; a step
   * already waiting for the same reason is left alone. Returns how many were marked.
   */
  async markWaiting(workflowId: string, stepIds: string[], reason: string): Promise<number> {
    if (stepIds.length === 0) return 0;
    return (await this.run('markWaiting', workflowId, [reason, ...stepIds])) as number;
  }

  /** Adds a `log` event to a workflow; returns its event id, or 0 when the workflow is unknown. */
  async appendLog(params: {
    workflowId: string;
    level: LogLevel;
    message: string;
    stepId?: string | null;
    agent?: string | null;
    metadata?: Record<string, unknown>;
  }): Promise<number> {
    return (await this.run('appendLog', params.workflowId, [
      params.level,
      params.message,
      params.stepId ?? '',
      params.agent ?? '',
      JSON.stringify(params.metadata ?? {}),
    ])) as number;
  }

  async get(workflowId: string): Promise<WorkflowState | null> {
    // Field by field, not HGETALL: the hash also holds the steps' outputs, which can be large. The
    // graph names the step fields; the state itself is read in one command, so it is consistent.
    const key = this.key(workflowId);
    const graphId = await this.redis.hget(key, 'graphId');
    if (!graphId) return null;
    const graph = await this.graph(graphId);
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
    const steps: StepState[] = graph.order.map((stepId, index) => {
      const step = JSON.parse(stepStates[index] as string) as Partial<StepState> & {
        lifecycle: AgentLifecycle;
        durationMs?: number;
        waitingFor?: string;
      };
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
      };
    });
    return {
      workflowId: meta.workflowId,
      type: meta.type,
      status: hash.status as WorkflowStatus,
      tenantId: meta.tenantId,
      sessionId: meta.sessionId,
      input: meta.input,
      preferences: meta.preferences,
      steps,
      metrics: hash.metrics ? (JSON.parse(hash.metrics) as WorkflowMetrics) : live,
      error: hash.error ?? null,
      result: hash.result ? (JSON.parse(hash.result) as Record<string, unknown>) : null,
      createdAt: hash.createdAt as string,
      updatedAt: hash.updatedAt as string,
      finishedAt: hash.finishedAt ?? null,
    };
  }

  /** Newest first. Workflows whose state has expired from Redis are skipped. */
  async list(params: { status?: WorkflowStatus; offset: number; limit: number }): Promise<WorkflowPage> {
    const index = params.status
      ? `${this.options.prefix}:workflows:${params.status}`
      : `${this.options.prefix}:workflows`;
    const [ids, total] = await Promise.all([
      this.redis.zrevrange(index, params.offset, params.offset + params.limit - 1),
      this.redis.zcard(index),
    ]);
    const fields = ['meta', 'status', 'createdAt', 'updatedAt', 'finishedAt', 'error'] as const;
    const rows = await Promise.all(ids.map((id) => this.redis.hmget(this.key(id), ...fields)));
    const items: WorkflowSummary[] = [];
    for (const [meta, status, createdAt, updatedAt, finishedAt, error] of rows) {
      if (!meta) continue;
      const { workflowId, type, sessionId } = JSON.parse(meta) as WorkflowMeta;
      items.push({
        workflowId,
        type,
        sessionId,
        status: status as WorkflowStatus,
        createdAt: createdAt as string,
        updatedAt: updatedAt as string,
        finishedAt: finishedAt ?? null,
        error: error ?? null,
      });
    }
    return { items, total, offset: params.offset, limit: params.limit };
  }

  /**
   * PENDING or RUNNING workflows, oldest first, not updated for `idleMs`, with their READY steps:
   * the candidates whose steps may never have been queued.
   */
  async findIdleUnfinished(params: {
    idleMs: number;
    limit: number;
  }): Promise<{ workflowId: string; readySteps: StepDispatch[] }[]> {
    const ids = (
      await Promise.all(
        [WorkflowStatus.Pending, WorkflowStatus.Running].map((status) =>
          this.redis.zrange(`${this.options.prefix}:workflows:${status}`, 0, params.limit - 1),
        ),
      )
    ).flat();
    const idleBefore = Date.now() - params.idleMs;
    const found: { workflowId: string; readySteps: StepDispatch[] }[] = [];
    for (const workflowId of ids) {
      const state = await this.get(workflowId);
      if (!state || Date.parse(state.updatedAt) > idleBefore) continue;
      if (state.status !== WorkflowStatus.Pending && state.status !== WorkflowStatus.Running) continue;
      const graphId = await this.redis.hget(this.key(workflowId), 'graphId');
      if (!graphId) continue;
      const graph = await this.graph(graphId);
      // A READY step's next attempt: 1, or the retry or resumed attempt whose job may be waiting.
      const readySteps = state.steps
        .filter((step) => step.lifecycle === AgentLifecycle.Ready)
        .map((step) => ({
          stepId: step.stepId,
          attempt: step.attempts + 1,
          queue: stepQueueOf(graph, step.stepId),
        }));
      if (readySteps.length > 0) found.push({ workflowId, readySteps });
    }
    return found;
  }

  /**
   * Ids in the index of `status` of workflows created before `createdBeforeMs`, oldest first (a
   * page from `offset`). A workflow finishes after it is created, so every workflow that
   * finished before a time is among those created before it.
   */
  idsCreatedBefore(
    status: WorkflowStatus,
    createdBeforeMs: number,
    offset: number,
    limit: number,
  ): Promise<string[]> {
    return this.redis.zrangebyscore(
      `${this.options.prefix}:workflows:${status}`,
      '-inf',
      `(${createdBeforeMs}`,
      'LIMIT',
      offset,
      limit,
    );
  }

  /**
   * Removes an archived, finished workflow from Redis, unless it changed since it was archived
   * (its status or finish time differ). `finishedAt` '' for a workflow whose state is gone.
   */
  async removeFinished(
    workflowId: string,
    status: WorkflowStatus,
    finishedAt: string,
  ): Promise<'removed' | 'index-only' | 'kept'> {
    const outcome = (await this.run('removeFinished', workflowId, [status, finishedAt])) as number;
    return outcome === 1 ? 'removed' : outcome === 2 ? 'index-only' : 'kept';
  }

  /** The recorded events after `afterEventId`, in order (the log is bounded to recent events). */
  async eventsAfter(workflowId: string, afterEventId: number): Promise<WorkflowEvent[]> {
    // One entry per transition, oldest first: read pages back from the newest until an entry
    // reaches `afterEventId`. An entry appended meanwhile shifts the pages, hence the map by id.
    const key = `${this.key(workflowId)}:events`;
    const found = new Map<number, WorkflowEvent>();
    for (let end = -1; ; end -= EVENT_PAGE) {
      const page = await this.redis.lrange(key, end - EVENT_PAGE + 1, end);
      const events = page.flatMap(parseEventMessage);
      for (const event of events) if (event.eventId > afterEventId) found.set(event.eventId, event);
      if (page.length < EVENT_PAGE || (events[0]?.eventId ?? 0) <= afterEventId) break;
    }
    return [...found.values()].sort((a, b) => a.eventId - b.eventId);
  }

  /** The output's JSON, or a reference to it stored once under its SHA-256 when it is large. */
  private async storeOutput(output: unknown): Promise<string> {
    const json = JSON.stringify(output ?? null);
    const limit = this.options.largeOutputBytes ?? DEFAULT_LARGE_OUTPUT_BYTES;
    if (Buffer.byteLength(json) <= limit) return json;
    const sha256 = createHash('sha256').update(json).digest('hex');
    // Written before the state refers to it; a rewrite of identical content only refreshes the expiry.
    await this.redis.set(this.blobKey(sha256), json, 'EX', this.options.finishedTtlSeconds * 2);
    const reference: OutputReference = { $ref: `sha256:${sha256}`, bytes: Buffer.byteLength(json) };
    return JSON.stringify(reference);
  }

  /** Replaces every top-level reference in `values` by the stored output. */
  private async resolveReferences(values: Record<string, unknown>): Promise<void> {
    const keys = Object.keys(values).filter((key) => isOutputReference(values[key]));
    if (keys.length === 0) return;
    const blobs = await this.redis.mget(
      ...keys.map((key) => this.blobKey((values[key] as OutputReference).$ref.slice(7))),
    );
    keys.forEach((key, index) => {
      const blob = blobs[index];
      if (blob === null)
        throw new Error(`stored output ${(values[key] as OutputReference).$ref} of step ${key} has expired`);
      values[key] = JSON.parse(blob);
    });
  }

  /** A stored graph by id, read once per process: a graph id always names the same graph. */
  private async graph(graphId: string): Promise<WorkflowGraph> {
    let graph = this.graphs.get(graphId);
    if (!graph) {
      const json = await this.redis.hget(`${this.options.prefix}:graph:${graphId}`, 'graph');
      if (json === null) throw new Error(`graph ${graphId} is missing from Redis`);
      graph = JSON.parse(json) as WorkflowGraph;
      this.graphs.set(graphId, graph);
    }
    return graph;
  }

  private blobKey(sha256: string): string {
    return `${this.options.prefix}:output:${sha256}`;
  }

  private key(workflowId: string): string {
    return `${this.options.prefix}:wf:${workflowId}`;
  }

  /** Calls one of the state machine's functions, loading the library first where Redis lacks it. */
  private async run(script: WorkflowScript, workflowId: string, args: (string | number)[]): Promise<unknown> {
    const key = this.key(workflowId);
    const call = () =>
      this.redis.fcall(
        WORKFLOW_LIBRARY.functionName(script),
        2,
        key,
        `${key}:events`,
        this.options.prefix,
        workflowId,
        new Date().toISOString(),
        Date.now(),
        ...args,
      );
    await (this.libraryLoaded ??= this.loadLibrary());
    try {
      return await call();
    } catch (error) {
      // Redis restarted without persistence, or was flushed: load it again, once.
      if (!String(error).includes('Function not found')) throw error;
      this.libraryLoaded = this.loadLibrary();
      await this.libraryLoaded;
      return call();
    }
  }

  private async loadLibrary(): Promise<void> {
    try {
      await this.redis.call('FUNCTION', 'LOAD', WORKFLOW_LIBRARY.code);
    } catch (error) {
      const message = String(error);
      if (message.includes('already exists')) return;
      this.libraryLoaded = null; // tried again on the next call
      if (/unknown command/i.test(message))
        throw new Error(
          `the workflow store needs Redis 7 or newer (FUNCTION LOAD); Redis answered: ${message}`,
        );
      throw error;
    }
  }
}

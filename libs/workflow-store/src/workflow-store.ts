import { createHash, randomUUID } from 'node:crypto';
import {
  AgentLifecycle,
  StepState,
  SubStepState,
  WorkflowEvent,
  WorkflowMetrics,
  WorkflowState,
  WorkflowStatus,
  LogLevel,
  RevisionFeedback,
  emptyWorkflowMetrics,
} from '@app/contracts';
import { FunctionLibraryClient } from '@app/redis/function-library';
import Redis from 'ioredis';
import { FanOutSpec, childStepId, parseChildStepId } from './fan-out';
import { WorkflowGraph, stepQueueOf } from './workflow-graph';
import { WORKFLOW_LIBRARY, WorkflowScript } from './workflow-scripts.lua';
import { OutputReference, isOutputReference } from './output-reference';
import { traceIdOf } from './workflow-trace';

/**
 * What a workflow is created with and never changes: that part of its state, and the W3C
 * `traceparent` of the span that started it (when tracing is on), which its steps continue.
 */
export type WorkflowMeta = Pick<
  WorkflowState,
  'workflowId' | 'type' | 'tenantId' | 'sessionId' | 'input' | 'preferences' | 'replayOf'
> & {
  traceparent?: string;
  /** The workflow's priority, 1 (first) to 5 (see the start request); 3 when absent. */
  priority?: number;
  /** Started with a budget of its own (see the start request's `budget`). */
  hasBudget?: boolean;
};

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
  /** An approval step's deadline from now, in ms: its queue gets a job due then, no worker a step. */
  deadlineMs?: number;
  /** Set when the workflow type declares limits: the step's worker asks them before it begins. */
  hasWorkflowLimits?: boolean;
}

function dispatchOf(graph: WorkflowGraph, stepId: string, attempt: number): StepDispatch {
  const deadlineSeconds = graph.approvals?.[stepId]?.deadlineSeconds;
  return {
    stepId,
    attempt,
    queue: stepQueueOf(graph, stepId),
    ...(deadlineSeconds === undefined ? {} : { deadlineMs: deadlineSeconds * 1000 }),
    ...(graph.limits ? { hasWorkflowLimits: true } : {}),
  };
}

const mapValues = <T, U>(record: Record<string, T>, map: (value: T) => U): Record<string, U> =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));

const firstAttempts = (graph: WorkflowGraph, stepIds: string[]): StepDispatch[] =>
  stepIds.map((stepId) => dispatchOf(graph, stepId, 1));

function dispatchPairs(graph: WorkflowGraph, flat: string[]): StepDispatch[] {
  const dispatches: StepDispatch[] = [];
  for (let i = 0; i < flat.length; i += 2) dispatches.push(dispatchOf(graph, flat[i], Number(flat[i + 1])));
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
  /** Set on a fan-out step: where its work items are. The worker fans it out (`fanOut`), no agent runs it. */
  fanOut?: FanOutSpec;
  /** Set on a fan-out's sub-step (`<stepId>#<index>`): its work item. */
  item?: { index: number; value: unknown };
  /** Set on a step a quality loop sent back: why (see revision-scripts.lua.ts). */
  feedback?: RevisionFeedback;
}

/** The answer to `fanOut`: the sub-steps to queue, or why not. */
export type FanOutResult =
  | { outcome: 'fanned-out'; readySteps: StepDispatch[] }
  | { outcome: 'inactive'; status: string }
  | { outcome: 'stale' };

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

/** What a check's request to send work back did (see revision-scripts.lua.ts). */
export type RevisionResult =
  | {
      outcome: 'revised';
      /** The iteration the loop is now in, and its bound. */
      iteration: number;
      maxIterations: number;
      target: string;
      /** The target's job to queue; empty while the workflow is paused (it holds the target). */
      readySteps: StepDispatch[];
    }
  /** The loop's bound is reached: the workflow FAILED with `message`. */
  | { outcome: 'failed'; message: string }
  /** The step declares no `revise`. */
  | { outcome: 'no-loop' | 'stale' }
  | { outcome: 'inactive'; status: string };

export type FailStepResult =
  { outcome: 'retry' | 'failed' | 'stale' } | { outcome: 'inactive'; status: string };

export type ResumeResult =
  | { outcome: 'resumed'; readySteps: StepDispatch[] }
  | { outcome: 'not-failed'; status: WorkflowStatus }
  | { outcome: 'missing' };

export type ReplayResult =
  | { outcome: 'created'; workflowId: string; reusedSteps: string[]; readySteps: StepDispatch[] }
  /** The original's state is no longer in Redis (finished workflows are kept for a while). */
  | { outcome: 'gone' }
  | { outcome: 'unknown-step'; steps: string[] }
  /** A step to reuse has no recorded output: it did not complete in the original. */
  | { outcome: 'not-completed'; stepId: string; lifecycle: string };

/** What deciding an approval step did; `readySteps` go to the queues. */
export type ApprovalDecisionResult =
  | { outcome: 'approved'; status: WorkflowStatus; readySteps: StepDispatch[] }
  | { outcome: 'failed' }
  | { outcome: 'not-waiting'; status: WorkflowStatus; lifecycle: AgentLifecycle }
  | { outcome: 'not-approval' | 'no-step' | 'missing' };

export type PauseResult =
  { outcome: 'paused' } | { outcome: 'not-active'; status: WorkflowStatus } | { outcome: 'missing' };

export type UnpauseResult =
  | { outcome: 'unpaused'; status: WorkflowStatus; readySteps: StepDispatch[] }
  | { outcome: 'not-paused'; status: WorkflowStatus }
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
  'done',
  'seq',
  'iterations',
] as const;

/** The pseudo-dependency a fan-out's sub-step receives its work item under (see workflow-scripts.lua.ts). */
const ITEM_FIELD = '#item';
/** The pseudo-dependency a step a quality loop sent back receives its feedback under. */
const FEEDBACK_FIELD = '#feedback';

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
  // Every quality loop starts at its first iteration (see revision-scripts.lua.ts).
  if (graph.revisions)
    newWorkflowFields.push('iterations', JSON.stringify(mapValues(graph.revisions, () => 1)));
  for (const id of graph.order) {
    graphFields.push(
      `deps:${id}`,
      graph.deps[id].join(','),
      `next:${id}`,
      graph.successors[id].join(','),
      `anc:${id}`,
      graph.ancestors[id].join(','),
    );
    // The state machine knows an approval step by this field (see approval-steps.ts).
    if (graph.approvals?.[id]) graphFields.push(`approval:${id}`, '1');
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
  /** The state machine's function library, loaded where Redis lacks it. */
  private readonly library: FunctionLibraryClient;
  /** Ids of graphs known to be stored in Redis, and graphs read back from it (they never change). */
  private readonly storedGraphs = new Set<string>();
  private readonly graphs = new Map<string, WorkflowGraph>();

  constructor(
    private readonly redis: Redis,
    private readonly options: WorkflowStoreOptions,
  ) {
    this.library = new FunctionLibraryClient(redis, WORKFLOW_LIBRARY, 'the workflow store');
  }

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
    // A fan-out's sub-step may complete its fan-out step: it claims among that step's successors.
    const claimable = claim
      ? graph.successors[parseChildStepId(params.stepId)?.stepId ?? params.stepId].filter((id) =>
          claim.servedQueues.has(stepQueueOf(graph, id)),
        )
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
    const readyEnd = 3 + 2 * Number(count);
    return {
      outcome: 'advanced',
      status: status as WorkflowStatus.Running | WorkflowStatus.Completed,
      readySteps: dispatchPairs(graph, reply.slice(3, readyEnd)),
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
    // A sub-step's work item comes as the pseudo-dependency '#item' (no step id holds '#').
    const child = parseChildStepId(stepId);
    const item = child ? { index: child.index, value: dependencies[ITEM_FIELD] } : undefined;
    delete dependencies[ITEM_FIELD];
    const feedback = dependencies[FEEDBACK_FIELD] as RevisionFeedback | undefined;
    delete dependencies[FEEDBACK_FIELD];
    const graph = await this.graph(graphId);
    const fanOut = child ? undefined : graph.fanOut?.[stepId];
    return {
      stepId,
      graphId,
      queue: stepQueueOf(graph, stepId),
      firstAttempt: Number(firstAttempt),
      meta: knownMeta ?? (JSON.parse(meta) as WorkflowMeta),
      agent,
      dependencies,
      runToken,
      ...(fanOut ? { fanOut } : {}),
      ...(item ? { item } : {}),
      ...(feedback ? { feedback } : {}),
    };
  }

  /**
   * Turns a begun fan-out step into one READY sub-step per work item (at least one: a worker
   * completes a step with no items, and fails one with too many), for the caller to queue. Large
   * items are stored once and passed by reference, as large outputs are.
   */
  async fanOut(params: {
    workflowId: string;
    graphId: string;
    stepId: string;
    runToken: string;
    items: unknown[];
  }): Promise<FanOutResult> {
    const items = await Promise.all(params.items.map((item) => this.storeOutput(item)));
    const [outcome, ...rest] = (await this.run('fanOut', params.workflowId, [
      params.stepId,
      params.runToken,
      ...items,
    ])) as string[];
    if (outcome === 'STALE') return { outcome: 'stale' };
    if (outcome === 'INACTIVE') return { outcome: 'inactive', status: rest[0] };
    return { outcome: 'fanned-out', readySteps: dispatchPairs(await this.graph(params.graphId), rest) };
  }

  /**
   * A check's step asks for its quality loop's target to run again with `feedback` (its step state
   * reset, not completed): below the loop's bound the target is readied for the queue, at the
   * bound the workflow fails. `summary` is one line for the log and the error.
   */
  async requestRevision(params: {
    workflowId: string;
    stepId: string;
    runToken: string;
    feedback: unknown;
    summary: string;
    durationMs: number;
    graphId: string;
  }): Promise<RevisionResult> {
    const reply = (await this.run('revise', params.workflowId, [
      params.stepId,
      params.runToken,
      JSON.stringify(params.feedback ?? null),
      params.summary,
      Math.round(params.durationMs),
      this.options.finishedTtlSeconds,
    ])) as (string | number)[];
    switch (reply[0]) {
      case 'REVISED': {
        const target = String(reply[3]);
        const graph = await this.graph(params.graphId);
        return {
          outcome: 'revised',
          iteration: Number(reply[1]),
          maxIterations: Number(reply[2]),
          target,
          readySteps: reply[4] === undefined ? [] : [dispatchOf(graph, target, Number(reply[4]))],
        };
      }
      case 'FAILED':
        return { outcome: 'failed', message: String(reply[1]) };
      case 'INACTIVE':
        return { outcome: 'inactive', status: String(reply[1]) };
      default:
        return { outcome: reply[0] === 'NO_LOOP' ? 'no-loop' : 'stale' };
    }
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

  /**
   * Creates a workflow (`meta`, with `replayOf`) that replays `replayOf.workflowId` from
   * `replayOf.fromStep` in one call: on the original's graph, the steps that do not depend on
   * `fromStep` start COMPLETED with the original's recorded outputs, `fromStep` starts READY.
   */
  async replay(
    meta: WorkflowMeta & { replayOf: { workflowId: string; fromStep: string } },
  ): Promise<ReplayResult> {
    const original = this.key(meta.replayOf.workflowId);
    const graphId = await this.redis.hget(original, 'graphId');
    if (!graphId) return { outcome: 'gone' };
    const graph = await this.graph(graphId).catch(() => null);
    if (!graph) return { outcome: 'gone' };
    const { fromStep } = meta.replayOf;
    if (!graph.order.includes(fromStep)) return { outcome: 'unknown-step', steps: graph.order };
    const reusedSteps = graph.order.filter(
      (id) => id !== fromStep && !graph.ancestors[id].includes(fromStep),
    );
    const reply = (await this.run(
      'replay',
      meta.workflowId,
      [JSON.stringify(meta), reusedSteps.join(','), this.options.finishedTtlSeconds * 2],
      [original],
    )) as string[];
    if (reply[0] === 'GONE') return { outcome: 'gone' };
    if (reply[0] === 'NOT_COMPLETED')
      return { outcome: 'not-completed', stepId: reply[1], lifecycle: reply[2] };
    // 'EXISTS': this replay was created already (a caller that chose the id ran again after a
    // crash): the same answer, and queueing its first step again is deduplicated by its job id.
    return {
      outcome: 'created',
      workflowId: meta.workflowId,
      reusedSteps,
      readySteps: firstAttempts(graph, [fromStep]),
    };
  }

  /**
   * Decides a waiting approval step: `approve` completes it with `output` and readies its
   * successors; `fail` ends the workflow FAILED with `message` naming why (a rejection, a deadline).
   */
  async decideApproval(params: {
    workflowId: string;
    stepId: string;
    decision: 'approve' | 'fail';
    output?: unknown;
    /** Logged with an approval; the workflow's error when it fails. */
    message: string;
  }): Promise<ApprovalDecisionResult> {
    const [outcome, ...rest] = (await this.run('decideApproval', params.workflowId, [
      params.stepId,
      params.decision,
      params.decision === 'approve' ? await this.storeOutput(params.output) : 'null',
      params.message,
      this.options.finishedTtlSeconds,
    ])) as string[];
    switch (outcome) {
      case 'APPROVED':
        return {
          outcome: 'approved',
          status: rest[0] as WorkflowStatus,
          readySteps: dispatchPairs(await this.graph(rest[1]), rest.slice(2)),
        };
      case 'FAILED':
        return { outcome: 'failed' };
      case 'NOT_WAITING':
        return {
          outcome: 'not-waiting',
          status: rest[0] as WorkflowStatus,
          lifecycle: rest[1] as AgentLifecycle,
        };
      case 'NOT_APPROVAL':
        return { outcome: 'not-approval' };
      case 'NO_STEP':
        return { outcome: 'no-step' };
      default:
        return { outcome: 'missing' };
    }
  }

  /**
   * Applies an approval step's `onTimeout` when its deadline has passed, if it still waits:
   * fails the workflow, or approves with the policy's default output.
   */
  async expireApproval(workflowId: string, stepId: string): Promise<ApprovalDecisionResult> {
    const graphId = await this.redis.hget(this.key(workflowId), 'graphId');
    if (!graphId) return { outcome: 'missing' };
    const policy = (await this.graph(graphId)).approvals?.[stepId];
    if (!policy) return { outcome: 'not-approval' };
    return policy.onTimeout === 'default'
      ? this.decideApproval({
          workflowId,
          stepId,
          decision: 'approve',
          output: policy.default ?? { approved: true, by: 'deadline' },
          message: `step ${stepId} approved by its deadline (${policy.deadlineSeconds} s) with its default`,
        })
      : this.decideApproval({
          workflowId,
          stepId,
          decision: 'fail',
          message: `no decision before the deadline (${policy.deadlineSeconds} s)`,
        });
  }

  /** PENDING, RUNNING or WAITING → PAUSED; `message` is logged (who paused it). */
  async pause(workflowId: string, message: string): Promise<PauseResult> {
    const [outcome, status] = (await this.run('pause', workflowId, [message])) as string[];
    if (outcome === 'PAUSED') return { outcome: 'paused' };
    if (outcome === 'NOT_ACTIVE') return { outcome: 'not-active', status: status as WorkflowStatus };
    return { outcome: 'missing' };
  }

  /** PAUSED → RUNNING (or WAITING, PENDING), returning the steps it held for the queues. */
  async unpause(workflowId: string, message: string): Promise<UnpauseResult> {
    const [outcome, status, ...rest] = (await this.run('unpause', workflowId, [message])) as string[];
    if (outcome === 'UNPAUSED')
      return {
        outcome: 'unpaused',
        status: status as WorkflowStatus,
        readySteps: dispatchPairs(await this.graph(rest[0]), rest.slice(1)),
      };
    if (outcome === 'NOT_PAUSED') return { outcome: 'not-paused', status: status as WorkflowStatus };
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
   * already waiting for the same reason is left alone. Returns how many were marked. With
   * `holdsWorkflow` (a wait only a person ends, such as a spent budget) the workflow is WAITING
   * too, until each such step has begun (or the workflow ends).
   */
  async markWaiting(
    workflowId: string,
    stepIds: string[],
    reason: string,
    options: { holdsWorkflow?: boolean } = {},
  ): Promise<number> {
    if (stepIds.length === 0) return 0;
    return (await this.run('markWaiting', workflowId, [
      reason,
      options.holdsWorkflow ? '1' : '0',
      ...stepIds,
    ])) as number;
  }

  /**
   * Returns a step claimed by eager dispatch (`completeStep`'s `claimed`) to READY, unbegun and
   * waiting for `reason`, when the claiming worker may not begin it yet (flow control said so);
   * the caller queues its first attempt. False when the claim no longer holds (cancelled).
   */
  async returnClaim(
    workflowId: string,
    stepId: string,
    runToken: string,
    reason: string,
    options: { holdsWorkflow?: boolean } = {},
  ): Promise<boolean> {
    return (
      (await this.run('returnClaim', workflowId, [
        stepId,
        runToken,
        reason,
        options.holdsWorkflow ? '1' : '0',
      ])) === 1
    );
  }

  /** Adds a `log` event to a workflow; returns its event id, or 0 when the workflow is unknown. */
  async appendLog(params: {
    workflowId: string;
    level: LogLevel;
    message: string;
    stepId?: string | null;
    agent?: string | null;
    metadata?: Record<string, unknown>;
    /** The id of the same line in PostgreSQL, so a reader of both shows it once. */
    logId?: string | null;
  }): Promise<number> {
    return (await this.run('appendLog', params.workflowId, [
      params.level,
      params.message,
      params.stepId ?? '',
      params.agent ?? '',
      JSON.stringify(params.metadata ?? {}),
      params.logId ?? '',
    ])) as number;
  }

  /**
   * Which of `workflowIds` are cancelled: one pipelined read of their statuses, for the
   * workers' sweep that stands behind the cancellations channel (pub/sub drops what is published
   * while a subscriber reconnects).
   */
  async cancelledAmong(workflowIds: string[]): Promise<string[]> {
    if (workflowIds.length === 0) return [];
    const statuses = await Promise.all(workflowIds.map((id) => this.redis.hget(this.key(id), 'status')));
    return workflowIds.filter((_, index) => statuses[index] === WorkflowStatus.Cancelled);
  }

  /**
   * A workflow's meta and graph, for what must be known of a step before it begins (flow
   * control's limit keys and the workflow type's limits): one read, the graph from memory.
   */
  async metaAndGraph(workflowId: string): Promise<{ meta: WorkflowMeta; graph: WorkflowGraph } | null> {
    const [meta, graphId] = await this.redis.hmget(this.key(workflowId), 'meta', 'graphId');
    if (meta === null || graphId === null) return null;
    return { meta: JSON.parse(meta) as WorkflowMeta, graph: await this.graph(graphId) };
  }

  /** The `traceparent` the workflow was started under, when tracing was on; undefined otherwise. */
  async traceParent(workflowId: string): Promise<string | undefined> {
    const meta = await this.redis.hget(this.key(workflowId), 'meta');
    return meta ? (JSON.parse(meta) as WorkflowMeta).traceparent : undefined;
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
   * PENDING or RUNNING workflows, oldest first, not updated for `idleMs`, with their READY steps:
   * the candidates whose steps may never have been queued.
   */
  async findIdleUnfinished(params: {
    idleMs: number;
    limit: number;
  }): Promise<{ workflowId: string; readySteps: StepDispatch[] }[]> {
    const ids = (
      await Promise.all(
        [WorkflowStatus.Pending, WorkflowStatus.Running, WorkflowStatus.Waiting].map((status) =>
          this.redis.zrange(`${this.options.prefix}:workflows:${status}`, 0, params.limit - 1),
        ),
      )
    ).flat();
    const idleBefore = Date.now() - params.idleMs;
    const found: { workflowId: string; readySteps: StepDispatch[] }[] = [];
    for (const workflowId of ids) {
      const state = await this.get(workflowId);
      if (!state || Date.parse(state.updatedAt) > idleBefore) continue;
      if (![WorkflowStatus.Pending, WorkflowStatus.Running, WorkflowStatus.Waiting].includes(state.status))
        continue;
      const graphId = await this.redis.hget(this.key(workflowId), 'graphId');
      if (!graphId) continue;
      const graph = await this.graph(graphId);
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
    // A fan-out step's output is the list of its sub-steps' outputs, each possibly a reference.
    const holders: [Record<string, unknown> | unknown[], string | number, string][] = [];
    for (const [key, value] of Object.entries(values)) {
      if (isOutputReference(value)) holders.push([values, key, key]);
      else if (Array.isArray(value))
        value.forEach((element, index) => {
          if (isOutputReference(element)) holders.push([value, index, `${key}#${index}`]);
        });
    }
    if (holders.length === 0) return;
    const references = holders.map(
      ([holder, at]) => (holder as Record<string | number, OutputReference>)[at],
    );
    const blobs = await this.redis.mget(
      ...references.map((reference) => this.blobKey(reference.$ref.slice(7))),
    );
    holders.forEach(([holder, at, stepId], index) => {
      const blob = blobs[index];
      if (blob === null)
        throw new Error(`stored output ${references[index].$ref} of step ${stepId} has expired`);
      (holder as Record<string | number, unknown>)[at] = JSON.parse(blob);
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

  /**
   * Calls one of the state machine's functions, loading the library first where Redis lacks it.
   * `extraKeys` follow the workflow's two keys (KEYS[3], ...) for a function that reads another.
   */
  private async run(
    script: WorkflowScript,
    workflowId: string,
    args: (string | number)[],
    extraKeys: string[] = [],
  ): Promise<unknown> {
    const key = this.key(workflowId);
    return this.library.fcall(
      WORKFLOW_LIBRARY.functionName(script),
      [key, `${key}:events`, ...extraKeys],
      [this.options.prefix, workflowId, new Date().toISOString(), Date.now(), ...args],
    );
  }
}

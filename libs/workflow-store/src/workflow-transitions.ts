// A workflow's own transitions, its steps' and its lifecycle's: creating it; beginning,
// completing, fanning out, sending back, failing and holding a step; logging; cancelling,
// resuming and removing it. Each is one call of the store's Redis function library
// (workflow-functions.ts), its reply read into a result (workflow-transition-results.ts). The
// transitions a person asks for are in workflow-control-transitions.ts, as their functions are
// in workflow-control-scripts.lua.ts.
import { randomUUID } from 'node:crypto';
import { LogLevel, RevisionFeedback, WorkflowStatus } from '@app/contracts';
import { RedisClient } from '@app/redis';
import { parseChildStepId } from './fan-out';
import { creationPlan } from './workflow-creation-plan';
import { WorkflowFunctions } from './workflow-functions';
import { WorkflowGraph, stepQueueOf } from './workflow-graph';
import { WorkflowMeta, WorkflowRecords, WorkflowStoreOptions } from './workflow-records';
import {
  BeginStepResult,
  CancelResult,
  CompleteStepResult,
  FailStepResult,
  FanOutResult,
  ResumeResult,
  RevisionResult,
  StepDispatch,
  StepExecution,
  dispatchOf,
  dispatchPairs,
  firstAttempts,
} from './workflow-transition-results';

const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** The pseudo-dependency a fan-out's sub-step receives its work item under (see workflow-scripts.lua.ts). */
const ITEM_FIELD = '#item';
/** The pseudo-dependency a step a quality loop sent back receives its feedback under. */
const FEEDBACK_FIELD = '#feedback';

/**
 * The transitions of workflows in Redis: every transition is one call of a Lua function that also
 * numbers, stores and publishes the events it causes (see workflow-scripts.lua.ts).
 */
export class WorkflowTransitions {
  /** `<shard>:<graphId>` of the graphs known to be stored in a shard (they never change). */
  private readonly storedGraphs = new Set<string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly options: WorkflowStoreOptions,
    private readonly records: WorkflowRecords,
    private readonly functions: WorkflowFunctions,
  ) {}

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
    const { keys } = this.records;
    const idemKey = idempotencyKey ? keys.idempotency(meta.tenantId, idempotencyKey) : '';
    // The key is read and written in the same call as the workflow: both in one shard.
    if (
      idempotencyKey &&
      keys.shardOf(meta.workflowId) !== keys.idempotencyShard(meta.tenantId, idempotencyKey)
    )
      throw new Error(
        `workflow ${meta.workflowId} is not in the shard of its idempotency key: make its id with newWorkflowId`,
      );
    const plan = creationPlan(graph);
    const metaJson = JSON.stringify(meta);
    const send = (withGraph: boolean) =>
      this.functions.run('create', meta.workflowId, [
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
    const stored = `${keys.shardOf(meta.workflowId)}:${plan.graphId}`;
    let reply = await send(!this.storedGraphs.has(stored));
    if (reply[0] === 'NO_GRAPH') reply = await send(true);
    this.storedGraphs.add(stored);
    const [created, workflowId, ...readySteps] = reply;
    const isNew = created === 1;
    if (isNew) return { workflowId, isNew, readySteps: firstAttempts(graph, plan.roots) };
    // The first workflow keeps the graph (and agent versions) it was created with.
    const firstGraphId = await this.redis.hget(keys.workflow(workflowId), 'graphId');
    const firstGraph = firstGraphId ? await this.records.graph(firstGraphId, workflowId) : graph;
    return { workflowId, isNew, readySteps: firstAttempts(firstGraph, readySteps) };
  }

  /**
   * Marks a step EXECUTING for the worker holding queue job `jobId`. A job delivered again after
   * its step committed gets back the steps still to queue, including those it had claimed.
   */
  async beginStep(workflowId: string, stepId: string, attempt: number, jobId = ''): Promise<BeginStepResult> {
    const runToken = randomUUID();
    const reply = (await this.functions.run('begin', workflowId, [
      stepId,
      attempt,
      runToken,
      jobId,
    ])) as string[];
    switch (reply[0]) {
      case 'RUN':
      case 'RUN_FIRST':
        return {
          outcome: 'run',
          isFirstStep: reply[0] === 'RUN_FIRST',
          ...(await this.execution(workflowId, reply[1], stepId, runToken, reply.slice(2))),
        };
      case 'COMPLETED':
        return {
          outcome: 'already-completed',
          readySteps: dispatchPairs(await this.records.graph(reply[1], workflowId), reply.slice(2)),
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
    const graph = await this.records.graph(params.graphId, params.workflowId);
    const claim = params.claimForJob;
    const claimable = claim ? claimableSuccessors(graph, params.stepId, claim.servedQueues) : [];
    const claimToken = claimable.length > 0 ? randomUUID() : '';
    const claimJobId = params.claimForJob?.jobId ?? '';
    const reply = (await this.functions.run('complete', params.workflowId, [
      params.stepId,
      params.runToken,
      await this.records.storeOutput(params.output, params.workflowId),
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
          ? await this.execution(
              params.workflowId,
              params.graphId,
              claimedStepId,
              claimToken,
              reply.slice(readyEnd),
              claim.meta,
            )
          : null,
    };
  }

  /**
   * The successor a completion of `stepId` will claim for a worker serving `servedQueues`, when
   * that is known before the completion runs: its only claimable successor, which waits for no
   * other step and no person. So flow control can be asked about it in the same round trip as the
   * completion. The completion may still claim nothing (the workflow was cancelled meanwhile, a
   * quality loop runs the step again): the answer is a forecast.
   */
  async likelyClaim(
    workflowId: string,
    graphId: string,
    stepId: string,
    servedQueues: ReadonlySet<string>,
  ): Promise<{ stepId: string; queue: string } | null> {
    // A sub-step readies its fan-out step's successors only if it is the last: unknown beforehand.
    if (parseChildStepId(stepId)) return null;
    const graph = await this.records.graph(graphId, workflowId);
    const [only, ...others] = claimableSuccessors(graph, stepId, servedQueues);
    if (only === undefined || others.length > 0) return null;
    if (graph.deps[only].length !== 1 || graph.approvals?.[only]) return null;
    return { stepId: only, queue: stepQueueOf(graph, only) };
  }

  /** Reads [meta, agent, ancestorId, outputJson, ...] from a script's reply. */
  private async execution(
    workflowId: string,
    graphId: string,
    stepId: string,
    runToken: string,
    tail: string[],
    knownMeta?: WorkflowMeta,
  ): Promise<StepExecution> {
    const [meta, agent, firstAttempt] = tail;
    const dependencies: Record<string, unknown> = {};
    for (let i = 3; i < tail.length; i += 2) dependencies[tail[i]] = JSON.parse(tail[i + 1]);
    await this.records.resolveReferences(dependencies, workflowId);
    // A sub-step's work item comes as the pseudo-dependency '#item' (no step id holds '#').
    const child = parseChildStepId(stepId);
    const item = child ? { index: child.index, value: dependencies[ITEM_FIELD] } : undefined;
    delete dependencies[ITEM_FIELD];
    const feedback = dependencies[FEEDBACK_FIELD] as RevisionFeedback | undefined;
    delete dependencies[FEEDBACK_FIELD];
    const graph = await this.records.graph(graphId, workflowId);
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
    const items = await Promise.all(
      params.items.map((item) => this.records.storeOutput(item, params.workflowId)),
    );
    const [outcome, ...rest] = (await this.functions.run('fanOut', params.workflowId, [
      params.stepId,
      params.runToken,
      ...items,
    ])) as string[];
    if (outcome === 'STALE') return { outcome: 'stale' };
    if (outcome === 'INACTIVE') return { outcome: 'inactive', status: rest[0] };
    return {
      outcome: 'fanned-out',
      readySteps: dispatchPairs(await this.records.graph(params.graphId, params.workflowId), rest),
    };
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
    const reply = (await this.functions.run('revise', params.workflowId, [
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
        const graph = await this.records.graph(params.graphId, params.workflowId);
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
    const reply = (await this.functions.run('fail', params.workflowId, [
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
    const reply = (await this.functions.run('cancel', workflowId, [
      reason,
      this.options.finishedTtlSeconds,
      randomUUID(),
      this.records.keys.cancellationsChannel,
    ])) as string[];
    if (reply[0] === 'CANCELLED') return { outcome: 'cancelled' };
    if (reply[0] === 'TERMINAL') return { outcome: 'terminal', status: reply[1] as WorkflowStatus };
    return { outcome: 'missing' };
  }

  /** FAILED → RUNNING, readying the failed steps again; completed steps keep their outputs. */
  async resume(workflowId: string): Promise<ResumeResult> {
    const [outcome, ...rest] = (await this.functions.run('resume', workflowId, [randomUUID()])) as string[];
    if (outcome === 'RESUMED')
      return {
        outcome: 'resumed',
        readySteps: dispatchPairs(await this.records.graph(rest[0], workflowId), rest.slice(1)),
      };
    if (outcome === 'NOT_FAILED') return { outcome: 'not-failed', status: rest[0] as WorkflowStatus };
    return { outcome: 'missing' };
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
    return (await this.functions.run('markWaiting', workflowId, [
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
      (await this.functions.run('returnClaim', workflowId, [
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
    return (await this.functions.run('appendLog', params.workflowId, [
      params.level,
      params.message,
      params.stepId ?? '',
      params.agent ?? '',
      JSON.stringify(params.metadata ?? {}),
      params.logId ?? '',
    ])) as number;
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
    const outcome = (await this.functions.run('removeFinished', workflowId, [status, finishedAt])) as number;
    return outcome === 1 ? 'removed' : outcome === 2 ? 'index-only' : 'kept';
  }
}

/**
 * The successors of `stepId` a completion may claim for a worker serving `servedQueues`. A
 * fan-out's sub-step may complete its fan-out step: it claims among that step's successors.
 */
function claimableSuccessors(
  graph: WorkflowGraph,
  stepId: string,
  servedQueues: ReadonlySet<string>,
): string[] {
  return graph.successors[parseChildStepId(stepId)?.stepId ?? stepId].filter((id) =>
    servedQueues.has(stepQueueOf(graph, id)),
  );
}

// The workflow store as every caller uses it: one class over the parts it is made of, so that a
// caller holds one thing (and Nest injects one thing) whichever part answers. The parts, by role:
//   workflow-transitions.ts          a workflow's own transitions: its steps', its lifecycle's
//   workflow-control-transitions.ts  the transitions a person asks for: approvals, pauses, replays
//   workflow-functions.ts            the calls of the Redis function library each transition is
//   workflow-transition-results.ts   what the transitions answer, and the steps they hand out
//   workflow-creation-plan.ts        what creating a workflow of a graph writes
//   workflow-reads.ts                a workflow's state, outputs and events, and the indexes
//   workflow-records.ts              a workflow's graph and large outputs, which all parts use
//   workflow-keys.ts                 every Redis key and channel of the store, named once
//   workflow-store-format.ts         the format of the data in Redis, checked at start, and its migration
//   workflow-events.wire.ts          the event messages published on the events channel
// The function library's loader is FunctionLibraryClient (@app/redis).
import { WorkflowStatus } from '@app/contracts';
import { RedisClient } from '@app/redis';
import { WorkflowControlTransitions } from './workflow-control-transitions';
import { WorkflowFunctions } from './workflow-functions';
import { WorkflowGraph } from './workflow-graph';
import { WorkflowKeys } from './workflow-keys';
import { WorkflowReads } from './workflow-reads';
import { WorkflowStoreFormat } from './workflow-store-format';
import { WorkflowMeta, WorkflowRecords, WorkflowStoreOptions } from './workflow-records';
import { WorkflowTransitions } from './workflow-transitions';

/** Hours a finished workflow outlives its TTL in Redis, so the archiving job gets several chances. */
export const FINISHED_STATE_GRACE_HOURS = 6;

/**
 * The live state of workflows in Redis: every transition is one call of a Lua function that also
 * numbers, stores and publishes the events it causes (see workflow-scripts.lua.ts). Each method
 * is the transition or the read of the same name.
 */
export class WorkflowStore {
  private readonly transitions: WorkflowTransitions;
  private readonly control: WorkflowControlTransitions;
  private readonly reads: WorkflowReads;
  private readonly records: WorkflowRecords;

  constructor(
    private readonly redis: RedisClient,
    options: WorkflowStoreOptions,
  ) {
    const records = new WorkflowRecords(redis, options);
    this.records = records;
    const functions = new WorkflowFunctions(redis, records);
    this.transitions = new WorkflowTransitions(redis, options, records, functions);
    this.control = new WorkflowControlTransitions(redis, options, records, functions);
    this.reads = new WorkflowReads(redis, options, records);
  }

  /** The store's Redis keys and channels. */
  get keys(): WorkflowKeys {
    return this.records.keys;
  }

  /**
   * The shard channels (SSUBSCRIBE) every workflow event is published on, one per shard: one
   * message per transition, see {@link parseEventMessage}.
   */
  get eventsChannels(): string[] {
    return this.keys.eventsChannels;
  }

  /** The channel a cancelled workflow's id is published on, so workers abort its running steps. */
  get cancellationsChannel(): string {
    return this.keys.cancellationsChannel;
  }

  /**
   * Checks that this deployment reads the data in Redis, recording its format on a new Redis and
   * moving a format-1 deployment's data (see {@link WorkflowStoreFormat}); before the first call.
   * `log` hears what a migration does; `stepQueuePartitions` is recorded (STEP_QUEUE_PARTITIONS).
   */
  ensureFormat(
    log: (message: string) => void = () => undefined,
    stepQueuePartitions?: number,
  ): Promise<void> {
    return new WorkflowStoreFormat(this.redis, this.keys, log, stepQueuePartitions).ensure();
  }

  /**
   * A new workflow id in the shard a workflow must share: an idempotency key's (read and
   * written with it) or a replayed workflow's (read by its replay's creation); any shard otherwise.
   */
  newWorkflowId(sharing?: { tenantId: string; idempotencyKey?: string } | { replayOf: string }): string {
    const { keys } = this;
    if (sharing && 'replayOf' in sharing) return keys.newWorkflowId(keys.shardOf(sharing.replayOf));
    if (sharing?.idempotencyKey)
      return keys.newWorkflowId(keys.idempotencyShard(sharing.tenantId, sharing.idempotencyKey));
    return keys.newWorkflowId();
  }

  /** See {@link WorkflowTransitions.create}. */
  create(meta: WorkflowMeta, graph: WorkflowGraph, idempotencyKey?: string) {
    return this.transitions.create(meta, graph, idempotencyKey);
  }

  /** See {@link WorkflowTransitions.beginStep}. */
  beginStep(workflowId: string, stepId: string, attempt: number, jobId?: string) {
    return this.transitions.beginStep(workflowId, stepId, attempt, jobId);
  }

  /** See {@link WorkflowTransitions.completeStep}. */
  completeStep(params: Parameters<WorkflowTransitions['completeStep']>[0]) {
    return this.transitions.completeStep(params);
  }

  /** See {@link WorkflowTransitions.likelyClaim}. */
  likelyClaim(workflowId: string, graphId: string, stepId: string, servedQueues: ReadonlySet<string>) {
    return this.transitions.likelyClaim(workflowId, graphId, stepId, servedQueues);
  }

  /** See {@link WorkflowTransitions.fanOut}. */
  fanOut(params: Parameters<WorkflowTransitions['fanOut']>[0]) {
    return this.transitions.fanOut(params);
  }

  /** See {@link WorkflowTransitions.requestRevision}. */
  requestRevision(params: Parameters<WorkflowTransitions['requestRevision']>[0]) {
    return this.transitions.requestRevision(params);
  }

  /** See {@link WorkflowTransitions.failStep}. */
  failStep(params: Parameters<WorkflowTransitions['failStep']>[0]) {
    return this.transitions.failStep(params);
  }

  /** See {@link WorkflowTransitions.cancel}. */
  cancel(workflowId: string, reason?: string) {
    return this.transitions.cancel(workflowId, reason);
  }

  /** See {@link WorkflowTransitions.resume}. */
  resume(workflowId: string) {
    return this.transitions.resume(workflowId);
  }

  /** See {@link WorkflowControlTransitions.replay}. */
  replay(meta: Parameters<WorkflowControlTransitions['replay']>[0]) {
    return this.control.replay(meta);
  }

  /** See {@link WorkflowControlTransitions.decideApproval}. */
  decideApproval(params: Parameters<WorkflowControlTransitions['decideApproval']>[0]) {
    return this.control.decideApproval(params);
  }

  /** See {@link WorkflowControlTransitions.expireApproval}. */
  expireApproval(workflowId: string, stepId: string) {
    return this.control.expireApproval(workflowId, stepId);
  }

  /** See {@link WorkflowControlTransitions.pause}. */
  pause(workflowId: string, message: string) {
    return this.control.pause(workflowId, message);
  }

  /** See {@link WorkflowControlTransitions.unpause}. */
  unpause(workflowId: string, message: string) {
    return this.control.unpause(workflowId, message);
  }

  /** See {@link WorkflowTransitions.markWaiting}. */
  markWaiting(workflowId: string, stepIds: string[], reason: string, options?: { holdsWorkflow?: boolean }) {
    return this.transitions.markWaiting(workflowId, stepIds, reason, options);
  }

  /** See {@link WorkflowTransitions.returnClaim}. */
  returnClaim(
    workflowId: string,
    stepId: string,
    runToken: string,
    reason: string,
    options?: { holdsWorkflow?: boolean },
  ) {
    return this.transitions.returnClaim(workflowId, stepId, runToken, reason, options);
  }

  /** See {@link WorkflowTransitions.appendLog}. */
  appendLog(params: Parameters<WorkflowTransitions['appendLog']>[0]) {
    return this.transitions.appendLog(params);
  }

  /** See {@link WorkflowTransitions.removeFinished}. */
  removeFinished(workflowId: string, status: WorkflowStatus, finishedAt: string) {
    return this.transitions.removeFinished(workflowId, status, finishedAt);
  }

  /** See {@link WorkflowReads.output}. */
  output(workflowId: string, stepId: string) {
    return this.reads.output(workflowId, stepId);
  }

  /** See {@link WorkflowReads.cancelledAmong}. */
  cancelledAmong(workflowIds: string[]) {
    return this.reads.cancelledAmong(workflowIds);
  }

  /** See {@link WorkflowReads.metaAndGraph}. */
  metaAndGraph(workflowId: string) {
    return this.reads.metaAndGraph(workflowId);
  }

  /** See {@link WorkflowReads.traceParent}. */
  traceParent(workflowId: string) {
    return this.reads.traceParent(workflowId);
  }

  /** See {@link WorkflowReads.get}. */
  get(workflowId: string) {
    return this.reads.get(workflowId);
  }

  /** See {@link WorkflowReads.findIdleUnfinished}. */
  findIdleUnfinished(params: Parameters<WorkflowReads['findIdleUnfinished']>[0]) {
    return this.reads.findIdleUnfinished(params);
  }

  /** See {@link WorkflowReads.idsCreatedBefore}. */
  idsCreatedBefore(
    status: WorkflowStatus,
    shard: number,
    createdBeforeMs: number,
    offset: number,
    limit: number,
  ) {
    return this.reads.idsCreatedBefore(status, shard, createdBeforeMs, offset, limit);
  }

  /** See {@link WorkflowReads.eventsAfter}. */
  eventsAfter(workflowId: string, afterEventId: number) {
    return this.reads.eventsAfter(workflowId, afterEventId);
  }
}

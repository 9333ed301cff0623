// The transitions a person asks for, beside the steps' own (workflow-transitions.ts): deciding an
// approval step or letting its deadline decide, pausing and unpausing, and replaying a workflow
// from one of its steps. Their functions are those of workflow-control-scripts.lua.ts, called
// through workflow-functions.ts.
import { AgentLifecycle, WorkflowStatus } from '@app/contracts';
import { RedisClient } from '@app/redis';
import { WorkflowFunctions } from './workflow-functions';
import { WorkflowMeta, WorkflowRecords, WorkflowStoreOptions } from './workflow-records';
import {
  ApprovalDecisionResult,
  PauseResult,
  ReplayResult,
  UnpauseResult,
  dispatchPairs,
  firstAttempts,
} from './workflow-transition-results';

/** Approvals, pauses and replays of workflows in Redis, each one call of a Lua function. */
export class WorkflowControlTransitions {
  constructor(
    private readonly redis: RedisClient,
    private readonly options: WorkflowStoreOptions,
    private readonly records: WorkflowRecords,
    private readonly functions: WorkflowFunctions,
  ) {}

  /**
   * Creates a workflow (`meta`, with `replayOf`) that replays `replayOf.workflowId` from
   * `replayOf.fromStep` in one call: on the original's graph, the steps that do not depend on
   * `fromStep` start COMPLETED with the original's recorded outputs, `fromStep` starts READY.
   */
  async replay(
    meta: WorkflowMeta & { replayOf: { workflowId: string; fromStep: string } },
  ): Promise<ReplayResult> {
    const { keys } = this.records;
    // The replay reads the original in the same call: both in one shard.
    if (keys.shardOf(meta.workflowId) !== keys.shardOf(meta.replayOf.workflowId))
      throw new Error(
        `replay ${meta.workflowId} is not in the shard of ${meta.replayOf.workflowId}: make its id with newWorkflowId`,
      );
    const original = keys.workflow(meta.replayOf.workflowId);
    const graphId = await this.redis.hget(original, 'graphId');
    if (!graphId) return { outcome: 'gone' };
    const graph = await this.records.graph(graphId, meta.replayOf.workflowId).catch(() => null);
    if (!graph) return { outcome: 'gone' };
    const { fromStep } = meta.replayOf;
    if (!graph.order.includes(fromStep)) return { outcome: 'unknown-step', steps: graph.order };
    const reusedSteps = graph.order.filter(
      (id) => id !== fromStep && !graph.ancestors[id].includes(fromStep),
    );
    const reply = (await this.functions.run(
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
    const [outcome, ...rest] = (await this.functions.run('decideApproval', params.workflowId, [
      params.stepId,
      params.decision,
      params.decision === 'approve'
        ? await this.records.storeOutput(params.output, params.workflowId)
        : 'null',
      params.message,
      this.options.finishedTtlSeconds,
    ])) as string[];
    switch (outcome) {
      case 'APPROVED':
        return {
          outcome: 'approved',
          status: rest[0] as WorkflowStatus,
          readySteps: dispatchPairs(await this.records.graph(rest[1], params.workflowId), rest.slice(2)),
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
    const graphId = await this.redis.hget(this.records.keys.workflow(workflowId), 'graphId');
    if (!graphId) return { outcome: 'missing' };
    const policy = (await this.records.graph(graphId, workflowId)).approvals?.[stepId];
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
    const [outcome, status] = (await this.functions.run('pause', workflowId, [message])) as string[];
    if (outcome === 'PAUSED') return { outcome: 'paused' };
    if (outcome === 'NOT_ACTIVE') return { outcome: 'not-active', status: status as WorkflowStatus };
    return { outcome: 'missing' };
  }

  /** PAUSED → RUNNING (or WAITING, PENDING), returning the steps it held for the queues. */
  async unpause(workflowId: string, message: string): Promise<UnpauseResult> {
    const [outcome, status, ...rest] = (await this.functions.run('unpause', workflowId, [
      message,
    ])) as string[];
    if (outcome === 'UNPAUSED')
      return {
        outcome: 'unpaused',
        status: status as WorkflowStatus,
        readySteps: dispatchPairs(await this.records.graph(rest[0], workflowId), rest.slice(1)),
      };
    if (outcome === 'NOT_PAUSED') return { outcome: 'not-paused', status: status as WorkflowStatus };
    return { outcome: 'missing' };
  }
}

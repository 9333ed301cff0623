import { BulkActionRequest } from './dto/bulk-action.request';
import type { ApiKeyRole } from './dto/create-api-key.request';
import { AgentExecution, LlmCall, LogEntry } from './log-entry';

/**
 * Every BullMQ queue of the system. Job names are imperative; the data types below are the whole
 * contract between producer and consumer.
 */

/**
 * Steps are routed by agent: each goes to the queue of the agent and major version that runs it
 * (`steps.planner@2`), which only workers serving that agent consume. A version's major number
 * names what a step may rely on; minor releases of one major share its queue.
 */
export function agentStepsQueue(agent: string, major: number): string {
  return `${AGENT_STEPS_QUEUE_PREFIX}${agent}@${major}`;
}
export const AGENT_STEPS_QUEUE_PREFIX = 'steps.';

/**
 * BullMQ's key prefix for one queue: the deployment's prefix (`REDIS_PREFIX`), then the queue's
 * name as a hash tag. A queue's keys (`<prefix>:{steps.planner@2}:steps.planner@2:wait`) then
 * share one Redis Cluster slot, as BullMQ's scripts need, and different queues spread over the
 * primaries. Every Queue, Worker and QueueEvents of the system takes its prefix from here.
 *
 * A step queue may be split into partitions (STEP_QUEUE_PARTITIONS, see StepQueuePartitions):
 * partition p > 0 is the same queue name under the tag `{steps.planner@2#p}`, so one agent's
 * queue spreads over the primaries too; partition 0 keeps the unsplit queue's keys.
 */
export function queueKeyPrefix(prefix: string, queue: string, partition = 0): string {
  return partition === 0 ? `${prefix}:{${queue}}` : `${prefix}:{${queue}#${partition}}`;
}
/**
 * The counts a step queue may be split into (STEP_QUEUE_PARTITIONS). Few, so that a job queued
 * before the count was raised is found by looking in one partition under each smaller count.
 */
export const STEP_QUEUE_PARTITION_COUNTS = [1, 2, 4, 8, 16] as const;
export const ORCHESTRATOR_MAINTENANCE_QUEUE = 'orchestrator.maintenance';
/**
 * Approval steps' deadlines: a delayed job per waiting approval step, due at its deadline, so the
 * deadline survives restarts. Consumed by the orchestrator.
 */
export const ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE = 'orchestrator.approval-deadlines';
export const METRICS_LOGS_QUEUE = 'metrics.logs';
export const METRICS_EXECUTIONS_QUEUE = 'metrics.agent-executions';
/** Every language-model call's tokens, cost and outcome, in batches from the workers. */
export const METRICS_LLM_CALLS_QUEUE = 'metrics.llm-calls';
/**
 * Bulk actions on workflows (cancel, retry, replay by filter or ids), one job per request.
 * Consumed by the gateway: the actions are its routes' own work, done with the caller's rights,
 * and its sockets receive the progress.
 */
export const GATEWAY_BULK_ACTIONS_QUEUE = 'gateway.bulk-actions';

export enum WorkflowStepJobName {
  ExecuteStep = 'ExecuteStep',
}
export interface ExecuteStepJob {
  workflowId: string;
  stepId: string;
  /** The attempt this job runs (1 for the first); a retry is a new, delayed job. */
  attempt: number;
  /** Time limit of this attempt; set on the retry of a timed-out attempt, which gets longer. */
  timeoutMs?: number;
  /**
   * Who the step runs for, as flow control needs it before the step begins: the tenant and the
   * workflow's priority (its job's place in the queue is counted under them until a worker takes
   * it), and whether the workflow type declares limits. Absent on jobs queued without fair sharing.
   */
  flow?: StepJobFlow;
}

/** See {@link ExecuteStepJob.flow}. */
export interface StepJobFlow {
  tenantId: string;
  /** The workflow's priority, 1 (first) to 5. */
  priority: number;
  /** The step's fair-share band on its queue (see FairShare); absent on jobs queued before bands. */
  band?: number;
  hasWorkflowLimits?: boolean;
  /** The workflow was started with a budget of its own: the worker reads it before the step begins. */
  hasBudget?: boolean;
}

export enum ApprovalDeadlineJobName {
  /** Applies an approval step's `onTimeout` if it is still waiting when its deadline passes. */
  ExpireApproval = 'ExpireApproval',
}
export interface ExpireApprovalJob {
  workflowId: string;
  stepId: string;
}

export enum MetricsLogJobName {
  PersistLogs = 'PersistLogs',
}
export interface PersistLogsJob {
  entries: LogEntry[];
}

export enum MetricsExecutionJobName {
  RecordAgentExecutions = 'RecordAgentExecutions',
}
export interface RecordAgentExecutionsJob {
  executions: AgentExecution[];
}

export enum MetricsLlmCallJobName {
  RecordLlmCalls = 'RecordLlmCalls',
}
export interface RecordLlmCallsJob {
  calls: LlmCall[];
}

export enum OrchestratorMaintenanceJobName {
  /**
   * Queues again the READY steps of unfinished workflows that have not moved for a while: heals
   * a crash between recording a workflow (or a resume) and queueing its steps. On a job scheduler.
   */
  RecoverWorkflows = 'RecoverWorkflows',
}
export type RecoverWorkflowsJob = Record<string, never>;

export enum BulkActionJobName {
  RunBulkAction = 'RunBulkAction',
}
export interface RunBulkActionJob {
  request: BulkActionRequest;
  /** Who asked: the action reaches only the workflows this caller may act on. */
  caller: { keyId: string; tenantId: string; role: ApiKeyRole };
}

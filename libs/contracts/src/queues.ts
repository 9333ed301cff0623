import { AgentExecution, LogEntry } from './log-entry';

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
export const ORCHESTRATOR_MAINTENANCE_QUEUE = 'orchestrator.maintenance';
export const METRICS_LOGS_QUEUE = 'metrics.logs';
export const METRICS_EXECUTIONS_QUEUE = 'metrics.agent-executions';

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

export enum OrchestratorMaintenanceJobName {
  /**
   * Queues again the READY steps of unfinished workflows that have not moved for a while: heals
   * a crash between recording a workflow (or a resume) and queueing its steps. On a job scheduler.
   */
  RecoverWorkflows = 'RecoverWorkflows',
}
export type RecoverWorkflowsJob = Record<string, never>;

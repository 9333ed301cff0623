import { AgentLifecycle, WorkflowStatus } from './workflow.enums';

/** Figures kept for every workflow while it runs, returned by `GET /workflows/:id`. */
export interface WorkflowMetrics {
  /** Milliseconds from the first step's start to the terminal state; null while running. */
  totalDurationMs: number | null;
  /** Milliseconds each step's agent spent executing (all attempts), by step id. */
  agentDurationsMs: Record<string, number>;
  llmCalls: number;
  llmTokens: number;
  errorCount: number;
  retryCount: number;
}

/** One step of a workflow as the state machine sees it. */
export interface StepState {
  stepId: string;
  agent: string;
  dependsOn: string[];
  lifecycle: AgentLifecycle;
  /** Attempts started so far (1 for the first run). */
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

/** The live state of one workflow, kept in Redis and written to PostgreSQL when it ends. */
export interface WorkflowState {
  workflowId: string;
  type: string;
  status: WorkflowStatus;
  tenantId: string;
  sessionId: string;
  input: Record<string, unknown>;
  preferences: Record<string, unknown>;
  steps: StepState[];
  metrics: WorkflowMetrics;
  /** The error that ended the workflow, when it FAILED. */
  error: string | null;
  /** Outputs of the workflow's final steps (those no other step depends on). */
  result: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** A page of workflows. */
export interface WorkflowPage {
  items: WorkflowSummary[];
  total: number;
  offset: number;
  limit: number;
}

export type WorkflowSummary = Pick<
  WorkflowState,
  'workflowId' | 'type' | 'status' | 'sessionId' | 'createdAt' | 'updatedAt' | 'finishedAt' | 'error'
>;

export function emptyWorkflowMetrics(): WorkflowMetrics {
  return {
    totalDurationMs: null,
    agentDurationsMs: {},
    llmCalls: 0,
    llmTokens: 0,
    errorCount: 0,
    retryCount: 0,
  };
}

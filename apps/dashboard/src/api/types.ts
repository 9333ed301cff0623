/*
 * The wire types the dashboard reads, declared here rather than imported from libs/contracts:
 * the contracts are classes and TypeScript enums (runtime values, and a string literal is not
 * assignable to an enum type), their index loads class-validator decorators the browser bundle
 * must not carry, and the projection adds fields (tenantId, completedSteps, totalSteps) the
 * SPA needs before every server part has landed. The names and values follow
 * libs/contracts/src (workflow.enums.ts, workflow-state.ts, workflow-events.ts).
 */

export const WORKFLOW_STATUSES = [
  'PENDING',
  'RUNNING',
  'WAITING',
  'PAUSED',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

export const TERMINAL_STATUSES: readonly WorkflowStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

/** Why the gateway refused the live connection (SocketConnectRefusal): `connect_error`'s `data.code`. */
export const SocketConnectRefusal = {
  Unauthorized: 'UNAUTHORIZED',
  ShuttingDown: 'SHUTTING_DOWN',
} as const;

/** What a READY approval step's `waitingFor` says (libs/workflow-store/src/approval-steps.ts). */
export const APPROVAL_WAITING_REASON = 'approval';

/** A step's agent lifecycle as the server records it (AgentLifecycle). */
export type AgentLifecycle = 'REGISTERED' | 'READY' | 'EXECUTING' | 'COMPLETED' | 'FAILED';

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Role = 'admin' | 'client';

export interface CallerIdentity {
  keyId: string;
  name?: string;
  role: Role;
  tenantId: string;
}

export interface WorkflowSummary {
  workflowId: string;
  type: string;
  status: WorkflowStatus;
  sessionId: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  error: string | null;
  tenantId?: string;
  completedSteps?: number;
  totalSteps?: number;
}

export interface WorkflowListPage {
  items: WorkflowSummary[];
  nextCursor: string | null;
  limit: number;
}

export interface WorkflowListQuery {
  status?: WorkflowStatus;
  type?: string;
  tenantId?: string;
  from?: string;
  to?: string;
  q?: string;
  cursor?: string;
  limit?: number;
}

export interface WorkflowMetrics {
  totalDurationMs: number | null;
  agentDurationsMs: Record<string, number>;
  llmCalls: number;
  llmTokens: number;
  errorCount: number;
  retryCount: number;
  /** How many times each quality loop ran, by its checking step; absent without loops. */
  iterations?: Record<string, number>;
}

/** One sub-step of a fan-out step: its agent's run for one work item. */
export interface SubStepState {
  item: number;
  lifecycle: AgentLifecycle;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

export interface StepState {
  stepId: string;
  agent: string;
  dependsOn: string[];
  lifecycle: AgentLifecycle;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  waitingFor: string | null;
  llmCalls: number;
  llmTokens: number;
  /** Set on a quality loop's steps once its check sent work back: the iteration they are in. */
  iteration?: { current: number; max: number };
  /** A fan-out step's sub-steps, in item order, once it has fanned out. */
  subSteps?: SubStepState[];
  /** In a replay: the step was not run, its output was copied from the workflow replayed. */
  isReused?: boolean;
}

export interface WorkflowState extends WorkflowSummary {
  tenantId: string;
  /** The id of the last event this state includes. */
  lastEventId: number;
  input: Record<string, unknown>;
  preferences: Record<string, unknown>;
  steps: StepState[];
  metrics: WorkflowMetrics;
  result: Record<string, unknown> | null;
  /** Set on a replay: the workflow it replays, and the step it ran again from. */
  replayOf?: { workflowId: string; fromStep: string };
}

/** One step as it went in one of two compared workflows (`GET /workflows/:id/diff/:otherId`). */
export interface StepRunFigures {
  lifecycle: AgentLifecycle;
  durationMs: number | null;
  llmTokens: number;
  isReused: boolean;
  outputHash: string | null;
}

export interface WorkflowDiff {
  workflowId: string;
  otherWorkflowId: string;
  steps: {
    stepId: string;
    isOutputChanged: boolean | null;
    workflow: StepRunFigures | null;
    other: StepRunFigures | null;
  }[];
  changedSteps: string[];
}

interface EventBase {
  workflowId: string;
  eventId: number;
  timestamp: string;
}

export interface ProgressEvent extends EventBase {
  type: 'progress';
  status: WorkflowStatus;
  completedSteps: number;
  totalSteps: number;
  percent: number;
}

export interface LogEvent extends EventBase {
  type: 'log';
  level: LogLevel;
  message: string;
  stepId: string | null;
  agent: string | null;
  metadata: Record<string, unknown>;
  /** The id of the same line among the stored logs; null when it is not stored. */
  logId: string | null;
}

export interface AgentStatusEvent extends EventBase {
  type: 'agent_status';
  stepId: string;
  agent: string;
  lifecycle: AgentLifecycle;
  attempt: number;
  error: string | null;
  waitingFor?: string;
  /** Set on the events of a fan-out's sub-step: its work item's index. */
  item?: number;
}

export interface CompleteEvent extends EventBase {
  type: 'complete';
  status: 'COMPLETED' | 'CANCELLED';
  result: Record<string, unknown> | null;
  metrics: WorkflowMetrics;
}

export interface ErrorEvent extends EventBase {
  type: 'error';
  status: 'FAILED';
  message: string;
  stepId: string | null;
  metrics: WorkflowMetrics;
}

export type WorkflowEvent = ProgressEvent | LogEvent | AgentStatusEvent | CompleteEvent | ErrorEvent;
export const WORKFLOW_EVENT_TYPES = ['progress', 'log', 'agent_status', 'complete', 'error'] as const;

/** The socket event carrying a piece of a step's streamed model answer (ServerSocketEvent.StepTokens). */
export const STEP_TOKENS_EVENT = 'step.tokens';

/** A piece of a step's streamed model answer (StepTokensEvent): live only, never in the event log. */
export interface StepTokensEvent {
  workflowId: string;
  stepId: string;
  /** 1 for the first piece of the step's attempt, then one more for each. */
  sequence: number;
  text: string;
}

export interface LogEntry {
  id: string;
  timestamp: string;
  level: LogLevel;
  workflowId: string | null;
  agent: string | null;
  message: string;
  metadata: Record<string, unknown>;
}

export interface LogPage {
  items: LogEntry[];
  total: number;
  nextCursor: string | null;
}

export interface StepDefinition {
  id: string;
  agent: string;
  dependsOn: string[];
}

export interface WorkflowDefinition {
  type: string;
  description: string;
  steps: StepDefinition[];
  inputSchema?: JsonSchema;
  inputAliases?: Record<string, string>;
}

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  [keyword: string]: unknown;
}

export interface InputError {
  path: string;
  message: string;
}

export interface ExecutionFigures {
  executionCount: number;
  successCount: number;
  errorCount: number;
  successRate: number;
  errorRate: number;
  totalDurationMs: number;
  averageDurationMs: number;
  p50DurationMs: number;
  p95DurationMs: number;
  p99DurationMs: number;
  lastExecutionAt: string | null;
}

export interface AgentMetrics extends ExecutionFigures {
  agent: string;
}

export interface AgentMetricsSummary {
  from: string | null;
  to: string | null;
  overall: ExecutionFigures;
  agents: AgentMetrics[];
}

export interface RegisteredAgent {
  name: string;
  version: string;
  description: string;
  major: number;
  queue: string;
  liveWorkers: number;
  metrics: ExecutionFigures;
}

export type TrendInterval = 'hour' | 'day';

export interface MetricsTrends {
  from: string;
  to: string;
  interval: TrendInterval;
  executions: { bucket: string; executions: number; errors: number; averageDurationMs: number }[];
  logsByLevel: { bucket: string; debug: number; info: number; warning: number; error: number }[];
  errorsByAgent: { bucket: string; agent: string; errors: number }[];
}

export const COUNTED_JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;
export type CountedJobState = (typeof COUNTED_JOB_STATES)[number];

export interface QueueStatus {
  name: string;
  /** An agent's step queue may be split into partitions (STEP_QUEUE_PARTITIONS); counts are summed. */
  partitions: number;
  isPaused: boolean;
  counts: Record<CountedJobState, number>;
}

export interface SiteSummary {
  siteId: string;
  currentVersion: number;
  versionCount: number;
  updatedAt: string;
  path: string;
}

export interface SiteVersion {
  version: number;
  isCurrent: boolean;
  publishedAt: string;
  fileCount: number;
  totalBytes: number;
  workflowId: string | null;
  workflowType: string | null;
  change: string | null;
}

export interface ApiKeySummary {
  id: string;
  tenantId: string;
  role: Role;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKeySummary {
  key: string;
}

export interface StartWorkflowRequest {
  type: string;
  input: Record<string, unknown>;
  sessionId: string;
  preferences?: Record<string, unknown>;
}

/** A socket ack, as libs/contracts/src/socket-events.ts declares SocketAck. */
export type SocketAck<T> =
  ({ ok: true } & T) | { ok: false; error: { code: string; message: string; errors?: InputError[] } };

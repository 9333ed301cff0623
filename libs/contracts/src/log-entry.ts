import { LogLevel } from './workflow.enums';

/** One structured log line on its way to PostgreSQL. */
export class LogEntry {
  /** UUID made by the producer, so a batch delivered twice is written once. */
  id!: string;
  timestamp!: string;
  level!: LogLevel;
  workflowId!: string | null;
  agent!: string | null;
  message!: string;
  metadata!: Record<string, unknown>;
}

/** How one attempt of one step ended. */
export type ExecutionOutcome = 'success' | 'error';

/** One attempt of one agent step, sent to the metrics service when it ends. */
export class AgentExecution {
  /** UUID made by the orchestrator, so a batch delivered twice is counted once. */
  id!: string;
  workflowId!: string;
  workflowType!: string;
  stepId!: string;
  agent!: string;
  attempt!: number;
  outcome!: ExecutionOutcome;
  /** The error kind (network, llm, validation, timeout, cancelled, unknown) when it failed. */
  errorKind!: string | null;
  durationMs!: number;
  startedAt!: string;
  finishedAt!: string;
  /** The trace and span of the attempt (its `invoke_agent` span), when tracing was on. */
  traceId?: string;
  spanId?: string;
}

/**
 * How one language-model call ended: `ok`, `cancelled`, or the error kind that failed it
 * (`rate-limited`, `overloaded`, `context-length`, `content-filter`, `invalid-output`, `network`,
 * `timeout`, `llm`, `unknown`).
 */
export type LlmCallOutcomeName = string;

/** One call to a language model, sent to the metrics service when it ends (table `llm_calls`). */
export class LlmCall {
  /** UUID made by the worker, so a batch delivered twice is counted once. */
  id!: string;
  workflowId!: string;
  workflowType!: string;
  tenantId!: string;
  stepId!: string;
  agent!: string;
  /** `openai-compatible`, or whichever provider answered. */
  provider!: string;
  /** The model that answered (or was asked, when none answered). */
  model!: string;
  promptTokens!: number;
  completionTokens!: number;
  /** True when the provider reported no usage (a cancelled stream) and the tokens are estimated. */
  isEstimated!: boolean;
  /** US dollars, from the worker's price table; 0 for a model it has no price for. */
  costUsd!: number;
  durationMs!: number;
  outcome!: LlmCallOutcomeName;
  startedAt!: string;
  finishedAt!: string;
}

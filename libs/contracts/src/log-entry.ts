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
}

import { LogLevel } from './workflow.enums';

/** One structured log line on its way to PostgreSQL. */
export interface LogEntry {
  /** UUID made by the producer, so a batch delivered twice is written once. */
  id: string;
  timestamp: string;
  level: LogLevel;
  workflowId: string | null;
  agent: string | null;
  message: string;
  metadata: Record<string, unknown>;
}

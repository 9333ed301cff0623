import { AgentVersion } from './agent-workers';
import { LogEntry } from './log-entry';

/** Figures of one agent (or of all agents) over a range, computed from its recorded executions. */
export class ExecutionFigures {
  executionCount!: number;
  successCount!: number;
  errorCount!: number;
  /** successCount / executionCount, 0 when there was none. */
  successRate!: number;
  errorRate!: number;
  totalDurationMs!: number;
  averageDurationMs!: number;
  p50DurationMs!: number;
  p95DurationMs!: number;
  p99DurationMs!: number;
  /** When the last execution in the range finished, or null. */
  lastExecutionAt!: string | null;
}

export class AgentMetrics extends ExecutionFigures {
  agent!: string;
}

/** Answer of `GET /agents/metrics`: per agent and overall, over all time or a range. */
export class AgentMetricsSummary {
  from!: string | null;
  to!: string | null;
  overall!: ExecutionFigures;
  agents!: AgentMetrics[];
}

export type TrendInterval = 'hour' | 'day';

/** One bucket of the execution trend; `bucket` is its start in UTC. */
export class ExecutionTrendPoint {
  bucket!: string;
  executions!: number;
  errors!: number;
  averageDurationMs!: number;
}

export class LogLevelTrendPoint {
  bucket!: string;
  debug!: number;
  info!: number;
  warning!: number;
  error!: number;
}

export class AgentErrorTrendPoint {
  bucket!: string;
  agent!: string;
  errors!: number;
}

/**
 * Answer of `GET /metrics/trends`. Buckets are hours or days in UTC covering [from, to); the
 * execution and log series have a point for every bucket, the per-agent errors only non-zero ones.
 */
export class MetricsTrends {
  from!: string;
  to!: string;
  interval!: TrendInterval;
  executions!: ExecutionTrendPoint[];
  logsByLevel!: LogLevelTrendPoint[];
  errorsByAgent!: AgentErrorTrendPoint[];
}

/**
 * An agent version some worker registered, with the workers serving it now and the agent's
 * all-time figures (counted by name, over every version). Answer of `GET /agents` (a list).
 */
export class RegisteredAgent extends AgentVersion {
  metrics!: ExecutionFigures;
}

/** A page of log entries; `nextCursor` fetches the next page, null on the last one. */
export class LogPage {
  items!: LogEntry[];
  /** Entries matching the filters, on every page. */
  total!: number;
  nextCursor!: string | null;
}

import { Injectable } from '@nestjs/common';
import { AgentExecution } from '@app/contracts';
import { InjectMetric, makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';

export const AGENT_EXECUTIONS_METRIC = 'agent_executions_total';
export const AGENT_EXECUTION_DURATION_METRIC = 'agent_execution_duration_seconds';

/**
 * Upper bounds (seconds) of the duration buckets: agent steps run from milliseconds (design) to
 * minutes (an LLM under load, `AGENT_TIMEOUT_SECONDS` 300).
 */
export const DURATION_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export const AGENT_EXECUTION_METRIC_PROVIDERS = [
  makeCounterProvider({
    name: AGENT_EXECUTIONS_METRIC,
    help: 'Step attempts recorded, by agent, outcome and error kind ("none" when it succeeded)',
    labelNames: ['agent', 'outcome', 'error_kind'],
  }),
  makeHistogramProvider({
    name: AGENT_EXECUTION_DURATION_METRIC,
    help: 'Time a step attempt took, by agent and outcome',
    labelNames: ['agent', 'outcome'],
    buckets: DURATION_BUCKETS_SECONDS,
  }),
];

/**
 * Counts executions as the metrics service records them. Each batch is consumed by one replica,
 * so the sum over replicas is the whole: unlike figures read from PostgreSQL on every scrape,
 * which each replica reported in full.
 */
@Injectable()
export class AgentExecutionMetrics {
  constructor(
    @InjectMetric(AGENT_EXECUTIONS_METRIC) private readonly executions: Counter<string>,
    @InjectMetric(AGENT_EXECUTION_DURATION_METRIC) private readonly duration: Histogram<string>,
  ) {}

  recorded(executions: AgentExecution[]): void {
    for (const { agent, outcome, errorKind, durationMs } of executions) {
      this.executions.inc({ agent, outcome, error_kind: errorKind ?? 'none' });
      this.duration.observe({ agent, outcome }, durationMs / 1000);
    }
  }
}

import { Injectable } from '@nestjs/common';
import {
  AgentMetricsQuery,
  AgentMetricsSummary,
  AgentWorkerStatus,
  ExecutionFigures,
  RegisteredAgent,
} from '@app/contracts';
import { AgentExecutionsRepository } from '@app/persistence';
import { AgentDirectory } from '@app/workflow-store';
import { checkRange } from '../metrics/time-range';

/** The agents and workers in the directory, and figures of the agents' executions from PostgreSQL. */
@Injectable()
export class AgentsService {
  constructor(
    private readonly directory: AgentDirectory,
    private readonly executions: AgentExecutionsRepository,
  ) {}

  /** Every agent version some worker registered, with its live workers and all-time figures. */
  async list(): Promise<RegisteredAgent[]> {
    const [catalogue, summary] = await Promise.all([
      this.directory.catalogue(),
      this.executions.getAgentMetricsSummary(),
    ]);
    const figures = new Map(summary.agents.map(({ agent, ...rest }) => [agent, rest]));
    return catalogue.map((agent) => ({ ...agent, metrics: figures.get(agent.name) ?? noExecutions() }));
  }

  /** Every worker the directory knows: alive ones first, then those gone within the hour. */
  workers(): Promise<AgentWorkerStatus[]> {
    return this.directory.workers();
  }

  metrics(query: AgentMetricsQuery): Promise<AgentMetricsSummary> {
    checkRange(query);
    return this.executions.getAgentMetricsSummary(query);
  }
}

function noExecutions(): ExecutionFigures {
  return {
    executionCount: 0,
    successCount: 0,
    errorCount: 0,
    successRate: 0,
    errorRate: 0,
    totalDurationMs: 0,
    averageDurationMs: 0,
    p50DurationMs: 0,
    p95DurationMs: 0,
    p99DurationMs: 0,
    lastExecutionAt: null,
  };
}

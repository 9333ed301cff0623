import { Inject, Injectable } from '@nestjs/common';
import { GatewayConfig } from '@app/config';
import { AgentMetricsQuery, AgentMetricsSummary, ExecutionFigures, RegisteredAgent } from '@app/contracts';
import { AgentExecutionsRepository } from '@app/persistence';
import { REDIS_CLIENT } from '@app/redis';
import Redis from 'ioredis';
import { checkRange } from '../metrics/time-range';

/** The agents the orchestrators registered, and figures of their executions from PostgreSQL. */
@Injectable()
export class AgentsService {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly executions: AgentExecutionsRepository,
    private readonly config: GatewayConfig,
  ) {}

  /** Every registered agent (descriptors written by orchestrators at boot) with its all-time figures. */
  async list(): Promise<RegisteredAgent[]> {
    const [descriptors, summary] = await Promise.all([
      this.redis.hgetall(`${this.config.REDIS_PREFIX}:agents`),
      this.executions.getAgentMetricsSummary(),
    ]);
    const figures = new Map(summary.agents.map(({ agent, ...rest }) => [agent, rest]));
    return Object.entries(descriptors)
      .map(([name, json]) => {
        const descriptor = JSON.parse(json) as { version?: string; description?: string };
        return {
          name,
          version: descriptor.version ?? '',
          description: descriptor.description ?? '',
          metrics: figures.get(name) ?? noExecutions(),
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
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

import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { LogLevel } from '@app/contracts';
import {
  AgentExecutionTotals,
  AgentExecutionsRepository,
  DURATION_BUCKETS_SECONDS,
  LogEntriesRepository,
} from '@app/persistence';
import { Counter, Gauge, Metric, register } from 'prom-client';

/** What one scrape reads from PostgreSQL. */
interface DatabaseSnapshot {
  agents: AgentExecutionTotals[];
  logsByLevel: Record<LogLevel, number>;
}

/** One sample line of the exposition (prom-client does not export its own type of it). */
interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** Scrapes arriving within this window share one read of the database. */
const SNAPSHOT_REUSE_MS = 1000;

export const DURATION_HISTOGRAM = 'agent_execution_duration_seconds';

/**
 * The agent and log metrics of `GET /metrics`, read from PostgreSQL at scrape time (`collect`),
 * never counted in memory: they are right after a restart, and every replica reports the same
 * values. All metrics of one scrape come from one snapshot (two queries).
 */
@Injectable()
export class DatabaseMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DatabaseMetrics.name);
  private readonly names: string[] = [];
  private snapshot: { takenAt: number; values: Promise<DatabaseSnapshot | null> } | null = null;

  constructor(
    private readonly executions: AgentExecutionsRepository,
    private readonly logs: LogEntriesRepository,
  ) {}

  onModuleInit(): void {
    const perAgent = (name: string, help: string, value: (agent: AgentExecutionTotals) => number) => {
      const gauge: Gauge<'agent'> = new Gauge({
        name,
        help,
        labelNames: ['agent'],
        registers: [],
        collect: async () => {
          const snapshot = await this.read();
          gauge.reset();
          for (const agent of snapshot?.agents ?? []) gauge.set({ agent: agent.agent }, value(agent));
        },
      });
      this.add(gauge);
    };
    perAgent(
      'agent_execution_count',
      'Executions of the agent (all attempts), from PostgreSQL',
      (agent) => agent.executionCount,
    );
    perAgent(
      'agent_success_count',
      'Successful executions of the agent, from PostgreSQL',
      (agent) => agent.successCount,
    );
    perAgent(
      'agent_error_count',
      'Failed executions of the agent, from PostgreSQL',
      (agent) => agent.errorCount,
    );
    perAgent(
      'agent_average_duration_seconds',
      'Average execution duration of the agent, from PostgreSQL',
      (agent) => (agent.executionCount === 0 ? 0 : agent.totalDurationMs / agent.executionCount / 1000),
    );

    const logEntries: Counter<'level'> = new Counter({
      name: 'log_entries_total',
      help: 'Log entries written to PostgreSQL, by level (from PostgreSQL; retention does not lower it)',
      labelNames: ['level'],
      registers: [],
      collect: async () => {
        const snapshot = await this.read();
        logEntries.reset();
        if (!snapshot) return;
        for (const level of Object.values(LogLevel)) logEntries.inc({ level }, snapshot.logsByLevel[level]);
      },
    });
    this.add(logEntries);
    this.add(this.durationHistogram());
  }

  onModuleDestroy(): void {
    for (const name of this.names) register.removeSingleMetric(name);
  }

  /**
   * prom-client's Histogram only counts observations made in this process; this one exposes
   * buckets counted by PostgreSQL, in the same exposition format.
   */
  private durationHistogram(): Metric {
    const help = 'Execution durations of each agent, from PostgreSQL';
    const get = async () => {
      const snapshot = await this.read();
      const values: Sample[] = [];
      for (const agent of snapshot?.agents ?? []) {
        DURATION_BUCKETS_SECONDS.forEach((bound, index) =>
          values.push({
            metricName: `${DURATION_HISTOGRAM}_bucket`,
            labels: { agent: agent.agent, le: bound },
            value: agent.cumulativeBucketCounts[index],
          }),
        );
        values.push(
          {
            metricName: `${DURATION_HISTOGRAM}_bucket`,
            labels: { agent: agent.agent, le: '+Inf' },
            value: agent.executionCount,
          },
          {
            metricName: `${DURATION_HISTOGRAM}_sum`,
            labels: { agent: agent.agent },
            value: agent.totalDurationMs / 1000,
          },
          {
            metricName: `${DURATION_HISTOGRAM}_count`,
            labels: { agent: agent.agent },
            value: agent.executionCount,
          },
        );
      }
      return { name: DURATION_HISTOGRAM, help, type: 'histogram', aggregator: 'sum', values };
    };
    return { name: DURATION_HISTOGRAM, help, get, reset: () => undefined } as unknown as Metric;
  }

  private add(metric: Metric): void {
    register.registerMetric(metric);
    this.names.push((metric as unknown as { name: string }).name);
  }

  /** One snapshot per scrape; null (metrics left out) while PostgreSQL cannot answer. */
  private read(): Promise<DatabaseSnapshot | null> {
    if (this.snapshot && Date.now() - this.snapshot.takenAt < SNAPSHOT_REUSE_MS) return this.snapshot.values;
    const values = Promise.all([this.executions.totalsByAgent(), this.logs.writtenByLevel()]).then(
      ([agents, logsByLevel]) => ({ agents, logsByLevel }),
      (error: unknown) => {
        this.logger.warn(`agent and log metrics left out of this scrape: ${String(error)}`);
        return null;
      },
    );
    this.snapshot = { takenAt: Date.now(), values };
    return values;
  }
}

import {
  AgentErrorTrendPoint,
  AgentExecution,
  AgentMetrics,
  AgentMetricsSummary,
  ExecutionFigures,
  ExecutionTrendPoint,
  LogLevelTrendPoint,
  MetricsTrends,
  TrendInterval,
} from '@app/contracts';
import { DataSource } from 'typeorm';

const ROWS_PER_INSERT = 5000;

interface FiguresRow {
  agent: string | null;
  execution_count: number;
  success_count: number;
  error_count: number;
  total_duration_ms: string;
  average_duration_ms: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  last_execution_at: Date | null;
}

const FIGURES = `
  count(*)::int AS execution_count,
  count(*) FILTER (WHERE outcome = 'success')::int AS success_count,
  count(*) FILTER (WHERE outcome = 'error')::int AS error_count,
  coalesce(sum(duration_ms), 0)::bigint AS total_duration_ms,
  avg(duration_ms)::float8 AS average_duration_ms,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95,
  percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99,
  max(finished_at) AS last_execution_at`;

function figuresOf(row: FiguresRow | undefined): ExecutionFigures {
  const executionCount = row?.execution_count ?? 0;
  const rate = (count: number) => (executionCount === 0 ? 0 : count / executionCount);
  return {
    executionCount,
    successCount: row?.success_count ?? 0,
    errorCount: row?.error_count ?? 0,
    successRate: rate(row?.success_count ?? 0),
    errorRate: rate(row?.error_count ?? 0),
    totalDurationMs: Number(row?.total_duration_ms ?? 0),
    averageDurationMs: row?.average_duration_ms ?? 0,
    p50DurationMs: row?.p50 ?? 0,
    p95DurationMs: row?.p95 ?? 0,
    p99DurationMs: row?.p99 ?? 0,
    lastExecutionAt: row?.last_execution_at?.toISOString() ?? null,
  };
}

/**
 * Agent executions and every figure derived from them. The rows are the only state: counts,
 * rates, averages and percentiles are computed in SQL when asked, so a batch delivered twice
 * (skipped by its ids) can never count twice and every replica reads the same numbers.
 */
export class AgentExecutionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts executions not yet stored, in multi-row statements; returns the ids it wrote. */
  async insertMany(executions: AgentExecution[]): Promise<string[]> {
    const written: string[] = [];
    for (let start = 0; start < executions.length; start += ROWS_PER_INSERT) {
      const chunk = executions.slice(start, start + ROWS_PER_INSERT);
      const column = <K extends keyof AgentExecution>(key: K) => chunk.map((execution) => execution[key]);
      const [{ ids }] = (await this.dataSource.query(
        `WITH inserted AS (
           INSERT INTO agent_executions (id, workflow_id, workflow_type, step_id, agent, attempt, outcome,
                                         error_kind, duration_ms, started_at, finished_at)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[], $5::varchar[],
                                $6::int[], $7::varchar[], $8::varchar[], $9::int[], $10::timestamptz[],
                                $11::timestamptz[])
           ON CONFLICT (id) DO NOTHING
           RETURNING id
         )
         SELECT coalesce(array_agg(id::text), '{}') AS ids FROM inserted`,
        [
          column('id'),
          column('workflowId'),
          column('workflowType'),
          column('stepId'),
          column('agent'),
          column('attempt'),
          column('outcome'),
          column('errorKind'),
          chunk.map((execution) => Math.round(execution.durationMs)),
          column('startedAt'),
          column('finishedAt'),
        ],
      )) as { ids: string[] }[];
      written.push(...ids);
    }
    return written;
  }

  /**
   * Per agent and overall: counts, rates, total and average duration, p50/p95/p99 (linear
   * interpolation, `percentile_cont`) and the last execution, over executions finished in
   * [from, to) or all of them.
   */
  async getAgentMetricsSummary(range: { from?: string; to?: string } = {}): Promise<AgentMetricsSummary> {
    const rows = (await this.dataSource.query(
      `SELECT agent, ${FIGURES}
       FROM agent_executions
       WHERE ($1::timestamptz IS NULL OR finished_at >= $1) AND ($2::timestamptz IS NULL OR finished_at < $2)
       GROUP BY ROLLUP (agent)
       ORDER BY agent NULLS LAST`,
      [range.from ?? null, range.to ?? null],
    )) as FiguresRow[];
    // ROLLUP's grand total has a null agent (agent itself is NOT NULL).
    const overall = rows.find((row) => row.agent === null);
    return {
      from: range.from ?? null,
      to: range.to ?? null,
      overall: figuresOf(overall),
      agents: rows
        .filter((row): row is FiguresRow & { agent: string } => row.agent !== null)
        .map((row): AgentMetrics => ({ agent: row.agent, ...figuresOf(row) })),
    };
  }

  /**
   * Executions, errors and average duration per bucket; log entries by level per bucket; errors
   * per agent per bucket. Buckets are whole UTC hours or days; the range is [from, to).
   */
  async getMetricsTrends(params: {
    from: string;
    to: string;
    interval: TrendInterval;
  }): Promise<MetricsTrends> {
    if (params.interval !== 'hour' && params.interval !== 'day') {
      throw new Error(`interval must be hour or day, got ${String(params.interval)}`);
    }
    const step = params.interval === 'hour' ? '1 hour' : '1 day';
    // Buckets in UTC wall-clock time, so a day is always 24 hours whatever the session's zone.
    const buckets = `
      SELECT (b AT TIME ZONE 'UTC') AS bucket
      FROM generate_series(date_trunc('${params.interval}', $1::timestamptz AT TIME ZONE 'UTC'),
                           $2::timestamptz AT TIME ZONE 'UTC' - interval '1 microsecond',
                           interval '${step}') AS b`;
    const bucketOf = (column: string) => `date_trunc('${params.interval}', ${column}, 'UTC')`;
    const range = [params.from, params.to];
    const [executions, logs, errorsByAgent] = await Promise.all([
      this.dataSource.query(
        `WITH buckets AS (${buckets}),
              figures AS (
                SELECT ${bucketOf('finished_at')} AS bucket, count(*)::int AS executions,
                       count(*) FILTER (WHERE outcome = 'error')::int AS errors,
                       avg(duration_ms)::float8 AS average_duration_ms
                FROM agent_executions WHERE finished_at >= $1 AND finished_at < $2 GROUP BY 1)
         SELECT buckets.bucket, coalesce(executions, 0) AS executions, coalesce(errors, 0) AS errors,
                coalesce(average_duration_ms, 0) AS average_duration_ms
         FROM buckets LEFT JOIN figures USING (bucket) ORDER BY buckets.bucket`,
        range,
      ) as Promise<{ bucket: Date; executions: number; errors: number; average_duration_ms: number }[]>,
      this.dataSource.query(
        `WITH buckets AS (${buckets}),
              counts AS (
                SELECT ${bucketOf('"timestamp"')} AS bucket,
                       count(*) FILTER (WHERE level = 'debug')::int AS debug,
                       count(*) FILTER (WHERE level = 'info')::int AS info,
                       count(*) FILTER (WHERE level = 'warning')::int AS warning,
                       count(*) FILTER (WHERE level = 'error')::int AS error
                FROM log_entries WHERE "timestamp" >= $1 AND "timestamp" < $2 GROUP BY 1)
         SELECT buckets.bucket, coalesce(debug, 0) AS debug, coalesce(info, 0) AS info,
                coalesce(warning, 0) AS warning, coalesce(error, 0) AS error
         FROM buckets LEFT JOIN counts USING (bucket) ORDER BY buckets.bucket`,
        range,
      ) as Promise<{ bucket: Date; debug: number; info: number; warning: number; error: number }[]>,
      this.dataSource.query(
        `SELECT ${bucketOf('finished_at')} AS bucket, agent, count(*)::int AS errors
         FROM agent_executions
         WHERE finished_at >= $1 AND finished_at < $2 AND outcome = 'error'
         GROUP BY 1, 2 ORDER BY 1, 2`,
        range,
      ) as Promise<{ bucket: Date; agent: string; errors: number }[]>,
    ]);
    return {
      from: new Date(params.from).toISOString(),
      to: new Date(params.to).toISOString(),
      interval: params.interval,
      executions: executions.map((row): ExecutionTrendPoint => ({
        bucket: row.bucket.toISOString(),
        executions: row.executions,
        errors: row.errors,
        averageDurationMs: row.average_duration_ms,
      })),
      logsByLevel: logs.map((row): LogLevelTrendPoint => ({
        bucket: row.bucket.toISOString(),
        debug: row.debug,
        info: row.info,
        warning: row.warning,
        error: row.error,
      })),
      errorsByAgent: errorsByAgent.map((row): AgentErrorTrendPoint => ({
        bucket: row.bucket.toISOString(),
        agent: row.agent,
        errors: row.errors,
      })),
    };
  }
}

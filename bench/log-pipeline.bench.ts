import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { LogEntry, LogLevel, METRICS_EXECUTIONS_QUEUE, METRICS_LOGS_QUEUE } from '@app/contracts';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';
import { TelemetryShipper } from '../libs/agent-sdk/src/worker/telemetry-shipper';
import { AppProcess } from '../test/support/app-process';
import { TEST_DATABASE_URL, TEST_REDIS_URL, TestNamespace } from '../test/support/test-environment';
import { BenchRow, row } from './bench-row';

const ENTRIES = 40_000;
const ROUNDS = 2;
/** Rows per raw INSERT: 7 parameters a row, under PostgreSQL's 65,535 parameters a statement. */
const RAW_ROWS_PER_INSERT = 5000;
/** The shipper's batch size and the metrics service's log worker concurrency. */
const PIPELINE_BATCH = 500;
const LOG_WORKERS = 4;

function entries(count: number): LogEntry[] {
  const workflowId = randomUUID();
  const levels = Object.values(LogLevel);
  return Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    timestamp: new Date(Date.now() - count + index).toISOString(),
    level: levels[index % levels.length],
    workflowId,
    agent: ['planner', 'content', 'design'][index % 3],
    message: `step ${index % 7} finished in ${index % 997} ms`,
    metadata: { index, attempt: 1 },
  }));
}

/** Baseline A: plain multi-row INSERT ... VALUES of 5,000 rows a statement, on one connection. */
async function rawValuesInsert(clients: Client[], rows: LogEntry[]): Promise<number> {
  const begin = performance.now();
  for (let start = 0; start < rows.length; start += RAW_ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + RAW_ROWS_PER_INSERT);
    const values = chunk.map(
      (_, index) => `(${Array.from({ length: 7 }, (__, column) => `$${index * 7 + column + 1}`).join(',')})`,
    );
    await clients[0].query(
      `INSERT INTO log_entries (id, "timestamp", level, workflow_id, agent, message, metadata) VALUES ${values.join(',')}`,
      chunk.flatMap((entry) => [
        entry.id,
        entry.timestamp,
        entry.level,
        entry.workflowId,
        entry.agent,
        entry.message,
        JSON.stringify(entry.metadata),
      ]),
    );
  }
  return rows.length / ((performance.now() - begin) / 1000);
}

/**
 * Baseline B: the statements the pipeline ends in (column arrays through unnest, 500 rows, the
 * shipper's batch size) on as many connections as the service's log workers, with no queue.
 */
async function rawParallelInsert(clients: Client[], rows: LogEntry[]): Promise<number> {
  const begin = performance.now();
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < rows.length) {
        const chunk = rows.slice(next, (next += PIPELINE_BATCH));
        await client.query(
          `INSERT INTO log_entries (id, "timestamp", level, workflow_id, agent, message, metadata)
           SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::varchar[], $4::uuid[], $5::varchar[], $6::text[], $7::jsonb[])`,
          [
            chunk.map((entry) => entry.id),
            chunk.map((entry) => entry.timestamp),
            chunk.map((entry) => entry.level),
            chunk.map((entry) => entry.workflowId),
            chunk.map((entry) => entry.agent),
            chunk.map((entry) => entry.message),
            chunk.map((entry) => JSON.stringify(entry.metadata)),
          ],
        );
      }
    }),
  );
  return rows.length / ((performance.now() - begin) / 1000);
}

/** Ours: the orchestrator's shipper → `metrics.logs` → a metrics service process → PostgreSQL. */
async function throughPipeline(client: Client, shipper: TelemetryShipper, rows: LogEntry[]): Promise<number> {
  const begin = performance.now();
  for (const entry of rows) shipper.log(entry);
  await shipper.flush();
  for (;;) {
    const {
      rows: [{ count }],
    } = await client.query<{ count: string }>('SELECT count(*) FROM log_entries');
    if (Number(count) >= rows.length) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return rows.length / ((performance.now() - begin) / 1000);
}

/**
 * Log entries per second through the whole path, beside raw inserts of the same rows into the same
 * table (same indexes: keyset, trigram) in the same run. The baseline is the faster of a
 * sequential multi-row INSERT and the pipeline's own statements issued in parallel with no queue,
 * so the ratio is the cost of the queue hop. Best of two rounds each.
 */
export default async function logPipelineBench(): Promise<BenchRow[]> {
  const namespace = await new TestNamespace().prepare();
  const clients = Array.from(
    { length: LOG_WORKERS },
    () => new Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${namespace.schema}` }),
  );
  await Promise.all(clients.map((client) => client.connect()));
  const [client] = clients;
  const logsQueue = new Queue(METRICS_LOGS_QUEUE, namespace.queueOptions(METRICS_LOGS_QUEUE));
  const executionsQueue = new Queue(
    METRICS_EXECUTIONS_QUEUE,
    namespace.queueOptions(METRICS_EXECUTIONS_QUEUE),
  );
  let metrics: AppProcess | null = null;
  const shipperConnection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  try {
    metrics = await AppProcess.start('metrics', namespace.env({ LOG_LEVEL: 'warn' }));
    const shipper = new TelemetryShipper(shipperConnection, namespace.redisPrefix, console);
    await throughPipeline(client, shipper, entries(2000)); // warm-up: connections, JIT
    const best = { values: 0, parallel: 0, ours: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      await client.query('TRUNCATE log_entries, log_level_counts');
      best.values = Math.max(best.values, await rawValuesInsert(clients, entries(ENTRIES)));
      await client.query('TRUNCATE log_entries, log_level_counts');
      best.parallel = Math.max(best.parallel, await rawParallelInsert(clients, entries(ENTRIES)));
      await client.query('TRUNCATE log_entries, log_level_counts');
      best.ours = Math.max(best.ours, await throughPipeline(client, shipper, entries(ENTRIES)));
    }
    const isParallelFaster = best.parallel > best.values;
    return [
      row({
        benchmark: 'log-pipeline',
        metric: `${ENTRIES} log entries, shipper → queue → metrics service → PostgreSQL`,
        unit: 'entries/s',
        ours: best.ours,
        baseline: Math.max(best.values, best.parallel),
        baselineName: isParallelFaster
          ? `raw INSERT unnest ${PIPELINE_BATCH} rows x${LOG_WORKERS} connections`
          : `raw multi-row INSERT ${RAW_ROWS_PER_INSERT} rows`,
        target: '>= 0.5',
      }),
      row({
        benchmark: 'log-pipeline',
        metric: `the other raw baseline: ${isParallelFaster ? `multi-row INSERT ${RAW_ROWS_PER_INSERT} rows, 1 connection` : `unnest ${PIPELINE_BATCH} rows x${LOG_WORKERS}`}`,
        unit: 'entries/s',
        ours: Math.min(best.values, best.parallel),
        baseline: null,
        baselineName: null,
        target: null,
      }),
    ];
  } finally {
    await metrics?.stop();
    await Promise.all([logsQueue.close(), executionsQueue.close()]);
    await shipperConnection.quit();
    await Promise.all(clients.map((each) => each.end()));
    await namespace.dispose();
  }
}

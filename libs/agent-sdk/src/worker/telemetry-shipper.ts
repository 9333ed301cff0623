import {
  AgentExecution,
  LogEntry,
  METRICS_EXECUTIONS_QUEUE,
  METRICS_LOGS_QUEUE,
  MetricsExecutionJobName,
  MetricsLogJobName,
  PersistLogsJob,
  RecordAgentExecutionsJob,
} from '@app/contracts';
import { JobsOptions, Queue } from 'bullmq';
import Redis from 'ioredis';
import { BatchSender } from './batch-sender';
import { WorkerLogger } from './worker-logger';

/** Once queued, a batch waits out a PostgreSQL outage: the metrics service retries it for hours. */
const BATCH_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: 10000,
  attempts: 50,
  backoff: { type: 'exponential', delay: 1000 },
};

/** Sends log entries and agent executions to the metrics service in batches over its queues. */
export class TelemetryShipper {
  private readonly logsQueue: Queue<PersistLogsJob>;
  private readonly executionsQueue: Queue<RecordAgentExecutionsJob>;
  private readonly logs: BatchSender<LogEntry>;
  private readonly executions: BatchSender<AgentExecution>;

  constructor(connection: Redis, prefix: string, logger: WorkerLogger) {
    this.logsQueue = new Queue(METRICS_LOGS_QUEUE, { connection, prefix });
    this.executionsQueue = new Queue(METRICS_EXECUTIONS_QUEUE, { connection, prefix });
    this.logs = new BatchSender(
      'log entries',
      (entries) => this.logsQueue.add(MetricsLogJobName.PersistLogs, { entries }, BATCH_JOB_OPTIONS),
      logger,
    );
    this.executions = new BatchSender(
      'agent executions',
      (executions) =>
        this.executionsQueue.add(
          MetricsExecutionJobName.RecordAgentExecutions,
          { executions },
          BATCH_JOB_OPTIONS,
        ),
      logger,
    );
  }

  log(entry: LogEntry): void {
    this.logs.push(entry);
  }

  execution(execution: AgentExecution): void {
    this.executions.push(execution);
  }

  async flush(): Promise<void> {
    await Promise.all([this.logs.flush(), this.executions.flush()]);
  }

  /** Sends what is buffered, then lets the queues go. */
  async close(): Promise<void> {
    await this.flush();
    await Promise.all([this.logsQueue.close(), this.executionsQueue.close()]);
  }
}

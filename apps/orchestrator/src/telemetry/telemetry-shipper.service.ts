import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
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
import { BatchSender } from './batch-sender';

/** Once queued, a batch waits out a PostgreSQL outage: the metrics service retries it for hours. */
const BATCH_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: 10000,
  attempts: 50,
  backoff: { type: 'exponential', delay: 1000 },
};

/** Sends log entries and agent executions to the metrics service in batches over its queues. */
@Injectable()
export class TelemetryShipper implements OnApplicationShutdown {
  private readonly logger = new Logger(TelemetryShipper.name);
  private readonly logs: BatchSender<LogEntry>;
  private readonly executions: BatchSender<AgentExecution>;

  constructor(
    @InjectQueue(METRICS_LOGS_QUEUE) logsQueue: Queue<PersistLogsJob>,
    @InjectQueue(METRICS_EXECUTIONS_QUEUE) executionsQueue: Queue<RecordAgentExecutionsJob>,
  ) {
    this.logs = new BatchSender(
      'log entries',
      (entries) => logsQueue.add(MetricsLogJobName.PersistLogs, { entries }, BATCH_JOB_OPTIONS),
      this.logger,
    );
    this.executions = new BatchSender(
      'agent executions',
      (executions) =>
        executionsQueue.add(MetricsExecutionJobName.RecordAgentExecutions, { executions }, BATCH_JOB_OPTIONS),
      this.logger,
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

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}

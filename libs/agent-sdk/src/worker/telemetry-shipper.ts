import {
  AgentExecution,
  LlmCall,
  LogEntry,
  METRICS_EXECUTIONS_QUEUE,
  METRICS_LLM_CALLS_QUEUE,
  METRICS_LOGS_QUEUE,
  MetricsExecutionJobName,
  MetricsLlmCallJobName,
  MetricsLogJobName,
  PersistLogsJob,
  RecordAgentExecutionsJob,
  RecordLlmCallsJob,
  queueKeyPrefix,
} from '@app/contracts';
import { JobsOptions, Queue } from 'bullmq';
import { RedisClient } from '@app/redis';
import { BatchSender } from './batch-sender';
import { WorkerLogger } from './worker-logger';

/** Once queued, a batch waits out a PostgreSQL outage: the metrics service retries it for hours. */
const BATCH_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: 10000,
  attempts: 50,
  backoff: { type: 'exponential', delay: 1000 },
};

/**
 * Sends log entries, agent executions and language-model calls to the metrics service in batches
 * over its queues.
 */
export class TelemetryShipper {
  private readonly logsQueue: Queue<PersistLogsJob>;
  private readonly executionsQueue: Queue<RecordAgentExecutionsJob>;
  private readonly logs: BatchSender<LogEntry>;
  private readonly executions: BatchSender<AgentExecution>;
  private readonly llmCallsQueue: Queue<RecordLlmCallsJob>;
  private readonly llmCalls: BatchSender<LlmCall>;

  constructor(connection: RedisClient, prefix: string, logger: WorkerLogger) {
    const queue = <T>(name: string) =>
      new Queue<T>(name, { connection, prefix: queueKeyPrefix(prefix, name) });
    this.logsQueue = queue(METRICS_LOGS_QUEUE);
    this.executionsQueue = queue(METRICS_EXECUTIONS_QUEUE);
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
    this.llmCallsQueue = queue(METRICS_LLM_CALLS_QUEUE);
    this.llmCalls = new BatchSender(
      'language-model calls',
      (calls) => this.llmCallsQueue.add(MetricsLlmCallJobName.RecordLlmCalls, { calls }, BATCH_JOB_OPTIONS),
      logger,
    );
  }

  log(entry: LogEntry): void {
    this.logs.push(entry);
  }

  execution(execution: AgentExecution): void {
    this.executions.push(execution);
  }

  llmCall(call: LlmCall): void {
    this.llmCalls.push(call);
  }

  async flush(): Promise<void> {
    await Promise.all([this.logs.flush(), this.executions.flush(), this.llmCalls.flush()]);
  }

  /** Sends what is buffered, then lets the queues go. */
  async close(): Promise<void> {
    await this.flush();
    await Promise.all([this.logsQueue.close(), this.executionsQueue.close(), this.llmCallsQueue.close()]);
  }
}

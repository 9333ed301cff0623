import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { METRICS_LOGS_QUEUE, MetricsLogJobName, PersistLogsJob } from '@app/contracts';
import { Job } from 'bullmq';
import { DatabaseWriteFailures } from '../database-writes/database-write-failures.metrics';
import { LogsService } from './logs.service';

/** Consumes `metrics.logs`: each job is a batch of entries from one producer. */
@Processor(METRICS_LOGS_QUEUE, { concurrency: 4 })
export class LogsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(LogsProcessor.name);

  constructor(
    private readonly logs: LogsService,
    private readonly writeFailures: DatabaseWriteFailures,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.on('failed', (job, error) => {
      this.writeFailures.count('log_entries');
      this.logger.error(
        `log batch ${job?.id ?? '?'} not written (attempt ${job?.attemptsMade ?? '?'}), will retry: ${error.message}`,
      );
    });
  }

  async process(job: Job<PersistLogsJob, unknown, MetricsLogJobName>): Promise<unknown> {
    switch (job.name) {
      case MetricsLogJobName.PersistLogs:
        return this.logs.saveBatch(Array.isArray(job.data.entries) ? job.data.entries : []);
      default:
        throw new Error(`unknown job ${String(job.name satisfies never)} on ${METRICS_LOGS_QUEUE}`);
    }
  }
}

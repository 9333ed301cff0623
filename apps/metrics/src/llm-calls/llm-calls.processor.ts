import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { METRICS_LLM_CALLS_QUEUE, MetricsLlmCallJobName, RecordLlmCallsJob } from '@app/contracts';
import { Job } from 'bullmq';
import { DatabaseWriteFailures } from '../database-writes/database-write-failures.metrics';
import { LlmCallsService } from './llm-calls.service';

/** Consumes `metrics.llm-calls`: each job is a batch of language-model calls from one worker. */
@Processor(METRICS_LLM_CALLS_QUEUE, { concurrency: 2 })
export class LlmCallsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(LlmCallsProcessor.name);

  constructor(
    private readonly calls: LlmCallsService,
    private readonly writeFailures: DatabaseWriteFailures,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.on('failed', (job, error) => {
      this.writeFailures.count('llm_calls');
      this.logger.error(
        `language-model call batch ${job?.id ?? '?'} not written (attempt ${job?.attemptsMade ?? '?'}), will retry: ${error.message}`,
      );
    });
  }

  async process(job: Job<RecordLlmCallsJob, unknown, MetricsLlmCallJobName>): Promise<unknown> {
    switch (job.name) {
      case MetricsLlmCallJobName.RecordLlmCalls:
        return this.calls.recordBatch(Array.isArray(job.data.calls) ? job.data.calls : []);
      default:
        throw new Error(`unknown job ${String(job.name satisfies never)} on ${METRICS_LLM_CALLS_QUEUE}`);
    }
  }
}

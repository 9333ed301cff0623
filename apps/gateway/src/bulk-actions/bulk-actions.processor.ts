import { Logger } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import {
  BulkActionJobName,
  BulkActionProgress,
  GATEWAY_BULK_ACTIONS_QUEUE,
  RunBulkActionJob,
} from '@app/contracts';
import { Job } from 'bullmq';
import { failedProgress, initialProgress } from './bulk-action-progress';
import { BulkActionRunner } from './bulk-action.runner';
import { BulkProgressGateway } from './bulk-progress.gateway';

/** Consumes `gateway.bulk-actions`: each job's progress goes to the job and to the caller's sockets. */
@Processor(GATEWAY_BULK_ACTIONS_QUEUE, { concurrency: 2 })
export class BulkActionsProcessor extends WorkerHost {
  private readonly logger = new Logger(BulkActionsProcessor.name);

  constructor(
    private readonly runner: BulkActionRunner,
    private readonly sockets: BulkProgressGateway,
  ) {
    super();
  }

  async process(
    job: Job<RunBulkActionJob, BulkActionProgress, BulkActionJobName>,
  ): Promise<BulkActionProgress> {
    switch (job.name) {
      case BulkActionJobName.RunBulkAction:
        return this.run(job);
      default:
        throw new Error(`unknown job ${String(job.name satisfies never)} on ${GATEWAY_BULK_ACTIONS_QUEUE}`);
    }
  }

  private async run(job: Job<RunBulkActionJob, BulkActionProgress>): Promise<BulkActionProgress> {
    const jobId = job.id as string;
    const { keyId } = job.data.caller;
    let last = initialProgress(jobId, job.data.request.action);
    try {
      const result = await this.runner.run(jobId, job.data, async (progress) => {
        last = { ...progress, problems: [...progress.problems] };
        await job.updateProgress(last as unknown as object);
        this.sockets.emit(keyId, last);
      });
      this.logger.log(
        `bulk ${result.action} ${jobId}: ${result.succeeded} succeeded, ${result.failed} failed, ${result.skipped} skipped of ${result.total}`,
      );
      return result;
    } catch (error) {
      this.sockets.emit(keyId, failedProgress(last, String(error)));
      throw error;
    }
  }
}

import { Processor, WorkerHost } from '@nestjs/bullmq';
import {
  ApprovalDeadlineJobName,
  ExpireApprovalJob,
  ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE,
} from '@app/contracts';
import { Job } from 'bullmq';
import { ApprovalDeadlines } from './approval-deadlines.service';

/** Consumes `orchestrator.approval-deadlines`. */
@Processor(ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE)
export class ApprovalDeadlinesProcessor extends WorkerHost {
  constructor(private readonly deadlines: ApprovalDeadlines) {
    super();
  }

  async process(job: Job<ExpireApprovalJob, string, ApprovalDeadlineJobName>): Promise<string> {
    switch (job.name) {
      case ApprovalDeadlineJobName.ExpireApproval:
        return this.deadlines.expire(job.data);
      default:
        throw new Error(
          `unknown job ${String(job.name satisfies never)} on ${ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE}`,
        );
    }
  }
}

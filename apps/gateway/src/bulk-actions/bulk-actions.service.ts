import { randomUUID } from 'node:crypto';
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import {
  BulkActionJobName,
  BulkActionKind,
  BulkActionProgress,
  BulkActionRequest,
  BulkActionStarted,
  BulkActionState,
  GATEWAY_BULK_ACTIONS_QUEUE,
  RunBulkActionJob,
} from '@app/contracts';
import { Job, Queue } from 'bullmq';
import { Caller, canAccessTenant } from '../auth/caller';
import { WorkflowsService } from '../workflows/workflows.service';
import { failedProgress, initialProgress } from './bulk-action-progress';

/** A finished bulk action's record is kept this long for `GET /workflows/bulk/:jobId`. */
const KEEP_SECONDS = 24 * 60 * 60;

/** Queues bulk actions and reads their progress. */
@Injectable()
export class BulkActionsService {
  constructor(
    @InjectQueue(GATEWAY_BULK_ACTIONS_QUEUE) private readonly queue: Queue<RunBulkActionJob>,
    private readonly workflows: WorkflowsService,
  ) {}

  /** Checks the request as far as it can be before the job runs (400, 403), then queues it. */
  async start(request: BulkActionRequest, caller: Caller): Promise<BulkActionStarted> {
    if ((request.filter === undefined) === (request.ids === undefined))
      throw new BadRequestException('give the workflows either by filter or by ids (one of the two)');
    if (request.action === BulkActionKind.Replay && request.fromStep === undefined)
      throw new BadRequestException('fromStep is required to replay');
    if (request.action !== BulkActionKind.Replay && request.fromStep !== undefined)
      throw new BadRequestException(`fromStep applies to replay only, not to ${request.action}`);
    // The listing's own checks (a client key's tenant, from before to) answer now, not in the job.
    if (request.filter) this.workflows.checkFilter(request.filter, caller);
    const job = await this.queue.add(
      BulkActionJobName.RunBulkAction,
      { request, caller: { keyId: caller.keyId, tenantId: caller.tenantId, role: caller.role } },
      {
        jobId: randomUUID(),
        // Not retried: a replay done twice would start two new workflows.
        attempts: 1,
        removeOnComplete: { age: KEEP_SECONDS },
        removeOnFail: { age: KEEP_SECONDS },
      },
    );
    return { jobId: job.id as string, action: request.action };
  }

  /** 404 for an unknown job, or one of another tenant (an admin's job is seen by admins only). */
  async progress(jobId: string, caller: Caller): Promise<BulkActionProgress> {
    // The state before the job: a job read just before it completes has no return value yet, and
    // would answer 'completed' with an empty body.
    const state = await this.queue.getJobState(jobId);
    const job = (await this.queue.getJob(jobId)) as Job<RunBulkActionJob, BulkActionProgress> | undefined;
    const owner = job?.data.caller;
    const isVisible =
      owner !== undefined &&
      canAccessTenant(caller, owner.tenantId) &&
      (caller.role === 'admin' || owner.role !== 'admin');
    if (!job || !isVisible) throw new NotFoundException(`bulk action ${jobId} does not exist`);
    if (state === 'completed') return job.returnvalue;
    const reported =
      typeof job.progress === 'object' ? (job.progress as unknown as BulkActionProgress) : null;
    const known = reported ?? initialProgress(jobId, job.data.request.action);
    if (state === 'failed') return failedProgress(known, job.failedReason ?? 'failed');
    return { ...known, state: state === 'active' ? BulkActionState.Running : BulkActionState.Queued };
  }
}

import { randomUUID } from 'node:crypto';
import {
  BulkActionJobName,
  BulkActionKind,
  BulkActionProgress,
  BulkActionState,
  RunBulkActionJob,
} from '@app/contracts';
import { Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { waitFor } from '../../../../test/support/wait-for';
import { TEST_REDIS_URL } from '../../../../test/support/test-environment';
import { Caller } from '../auth/caller';
import { WorkflowsService } from '../workflows/workflows.service';
import { initialProgress } from './bulk-action-progress';
import { BulkActionsService } from './bulk-actions.service';

const caller: Caller = { keyId: 'k1', tenantId: 'acme', role: 'client' } as Caller;

/** `GET /workflows/bulk/:jobId` against a real BullMQ queue and worker. */
describe('BulkActionsService.progress (real Redis)', () => {
  const prefix = `test-bulk-${randomUUID().slice(0, 8)}`;
  const queueName = 'bulk-actions';
  let connection: Redis;
  let queue: Queue<RunBulkActionJob>;
  let worker: Worker<RunBulkActionJob, BulkActionProgress> | undefined;
  let workerConnection: Redis | undefined;

  beforeAll(() => {
    connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue<RunBulkActionJob>(queueName, { connection, prefix });
  });

  afterAll(async () => {
    await worker?.close();
    await workerConnection?.quit();
    await queue.obliterate({ force: true });
    await queue.close();
    await connection.quit();
  });

  it('never answers a job that completes while it is read with an empty body', async () => {
    const job = await queue.add(BulkActionJobName.RunBulkAction, {
      request: { action: BulkActionKind.Cancel, ids: [] },
      caller: { keyId: caller.keyId, tenantId: caller.tenantId, role: caller.role },
    });
    const result: BulkActionProgress = {
      ...initialProgress(job.id!, BulkActionKind.Cancel),
      state: BulkActionState.Completed,
      total: 0,
    };
    let finish = () => {};
    const running = new Promise<void>((resolve) => (finish = resolve));
    worker = new Worker<RunBulkActionJob, BulkActionProgress>(
      queueName,
      async () => {
        await running;
        return result;
      },
      { connection: (workerConnection = connection.duplicate()), prefix },
    );
    await waitFor(async () => ((await queue.getJobState(job.id!)) === 'active' ? true : undefined), 'active');

    // The job completes right after the service has read it: the race a polling client meets.
    const getJob = queue.getJob.bind(queue);
    jest.spyOn(queue, 'getJob').mockImplementationOnce(async (id: string) => {
      const snapshot = await getJob(id);
      finish();
      await waitFor(async () => ((await queue.getJobState(id)) === 'completed' ? true : undefined), 'done');
      return snapshot as Job<RunBulkActionJob>;
    });
    const service = new BulkActionsService(queue, {} as WorkflowsService);
    const during = await service.progress(job.id!, caller);
    expect(during).toMatchObject({ jobId: job.id, state: BulkActionState.Running });
    expect(await service.progress(job.id!, caller)).toEqual(result);
  });
});

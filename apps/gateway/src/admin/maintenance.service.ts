import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import {
  MAINTENANCE_JOB_BY_ROUTE,
  MAINTENANCE_JOB_OPTIONS,
  METRICS_MAINTENANCE_QUEUE,
  MaintenanceJob,
  MaintenanceRoute,
} from '@app/contracts';
import { Queue } from 'bullmq';
import { QueuedMaintenanceJob } from './queued-maintenance-job.dto';

/** Queues a retention job of the metrics service now, beside its schedule. */
@Injectable()
export class MaintenanceService {
  constructor(@InjectQueue(METRICS_MAINTENANCE_QUEUE) private readonly queue: Queue<MaintenanceJob>) {}

  async trigger(route: MaintenanceRoute): Promise<QueuedMaintenanceJob> {
    const name = MAINTENANCE_JOB_BY_ROUTE[route];
    const job = await this.queue.add(name, { trigger: 'admin' }, MAINTENANCE_JOB_OPTIONS);
    return { jobId: job.id as string, job: name };
  }
}

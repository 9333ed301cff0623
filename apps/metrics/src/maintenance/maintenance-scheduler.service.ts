import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import {
  MAINTENANCE_JOB_OPTIONS,
  METRICS_MAINTENANCE_QUEUE,
  MaintenanceJob,
  MaintenanceJobName,
} from '@app/contracts';
import { Queue } from 'bullmq';

/** When each retention job runs: cron patterns in UTC. */
export const MAINTENANCE_SCHEDULES: readonly { job: MaintenanceJobName; pattern: string }[] = [
  { job: MaintenanceJobName.CleanupSessions, pattern: '0 2 * * *' },
  { job: MaintenanceJobName.CleanupLogs, pattern: '0 3 * * *' },
  { job: MaintenanceJobName.CleanupWorkflowStates, pattern: '0 * * * *' },
];

/**
 * Declares the retention schedules as BullMQ job schedulers. Every replica upserts the same
 * scheduler ids at boot, which is idempotent; BullMQ then creates one job per occurrence, so
 * exactly one replica runs each.
 */
@Injectable()
export class MaintenanceScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceScheduler.name);

  constructor(@InjectQueue(METRICS_MAINTENANCE_QUEUE) private readonly queue: Queue<MaintenanceJob>) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const { job, pattern } of MAINTENANCE_SCHEDULES) {
      await this.queue.upsertJobScheduler(
        job,
        { pattern, tz: 'UTC' },
        { name: job, data: { trigger: 'schedule' }, opts: MAINTENANCE_JOB_OPTIONS },
      );
    }
    this.logger.log(
      `retention scheduled (UTC): ${MAINTENANCE_SCHEDULES.map(({ job, pattern }) => `${job} "${pattern}"`).join(', ')}`,
    );
  }
}

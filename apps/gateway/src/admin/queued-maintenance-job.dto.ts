import { MaintenanceJobName } from '@app/contracts';

/** The answer to `POST /admin/maintenance/:job` (202): the retention job is queued for the metrics service. */
export class QueuedMaintenanceJob {
  /** The BullMQ job's id in `metrics.maintenance`. */
  jobId!: string;
  job!: MaintenanceJobName;
}

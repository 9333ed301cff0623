/**
 * The metrics service's retention jobs. Each runs on a BullMQ job scheduler (so exactly one
 * replica runs each occurrence) and can be enqueued at once by an admin.
 */
export const METRICS_MAINTENANCE_QUEUE = 'metrics.maintenance';

export enum MaintenanceJobName {
  /** Deletes log entries older than `LOG_RETENTION_DAYS`; daily at 03:00 UTC. */
  CleanupLogs = 'CleanupLogs',
  /**
   * Archives finished workflows older than `WORKFLOW_STATE_TTL_HOURS` to PostgreSQL, then removes
   * their state from Redis; hourly.
   */
  CleanupWorkflowStates = 'CleanupWorkflowStates',
  /** Removes session memory untouched for `SESSION_CLEANUP_DAYS` that carries no TTL; daily at 02:00 UTC. */
  CleanupSessions = 'CleanupSessions',
}

/** Who asked for a maintenance run; logged with what it removed. */
export interface MaintenanceJob {
  trigger: 'schedule' | 'admin';
}

/** What a maintenance run removed, returned as the job's result and logged. */
export interface MaintenanceReport {
  job: MaintenanceJobName;
  /** Everything strictly older than this was in scope. */
  cutoff: string;
  removed: number;
  /** Workflow states written to PostgreSQL before removal (CleanupWorkflowStates only). */
  archived?: number;
}

/** The `:job` of `POST /admin/maintenance/:job`, and the job each one enqueues. */
export const MAINTENANCE_JOB_BY_ROUTE = {
  logs: MaintenanceJobName.CleanupLogs,
  'workflow-states': MaintenanceJobName.CleanupWorkflowStates,
  sessions: MaintenanceJobName.CleanupSessions,
} as const satisfies Record<string, MaintenanceJobName>;

export type MaintenanceRoute = keyof typeof MAINTENANCE_JOB_BY_ROUTE;

/**
 * Options of every maintenance job, scheduled or triggered: a failed run is retried twice a
 * minute apart; a few finished jobs are kept to look at.
 */
export const MAINTENANCE_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 60_000 },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
} as const;

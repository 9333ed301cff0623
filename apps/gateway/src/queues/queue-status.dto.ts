/** The job states `GET /admin/queues` counts. */
export const COUNTED_JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;

export type CountedJobState = (typeof COUNTED_JOB_STATES)[number];

/** One of the system's queues, as `GET /admin/queues` and pausing or resuming it answer. */
export class QueueStatus {
  /** Such as `steps.planner@1` (an agent's step queue) or `metrics.logs`. */
  name!: string;
  /** The BullMQ queues it is split into (an agent's step queue, STEP_QUEUE_PARTITIONS); counts are their sum. */
  partitions!: number;
  /** A paused queue keeps its jobs; workers finish running ones and take no new ones. */
  isPaused!: boolean;
  /** Jobs in each state (waiting, active, delayed, prioritized, waiting-children, completed, failed). */
  counts!: Record<CountedJobState, number>;
}

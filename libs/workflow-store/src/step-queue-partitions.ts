import { RedisClient } from '@app/redis';
import { WorkflowKeys, fnv1a } from './workflow-keys';

/** The field of the store's format record that holds the count. */
export const STEP_QUEUE_PARTITIONS_FIELD = 'stepQueuePartitions';

/** How long a process trusts the count it read: a raised count reaches every worker within this. */
const REREAD_MS = 10_000;

/**
 * How many partitions each agent's step queue is split into, as the deployment recorded it in
 * the store's format record (WorkflowStoreFormat writes it from STEP_QUEUE_PARTITIONS), so every
 * producer and consumer, the apps and the agent SDK's workers alike, agree without configuration
 * of their own. A step goes to the partition its workflow and step id hash to, the same for every
 * attempt; so one workflow's fan-out spreads over every partition, and with it over every slot
 * each worker has. On a Redis Cluster the partitions' hash tags (queueKeyPrefix) put one agent's
 * queue on several primaries.
 *
 * The count only grows (the format refuses a lower one: jobs would wait in partitions nobody
 * consumes); a process rereads it every ten seconds, and workers then consume the new partitions.
 */
export class StepQueuePartitions {
  private known?: { count: number; readAtMs: number };
  private reading?: Promise<number>;

  constructor(
    private readonly redis: RedisClient,
    /** Where the format record is. */
    private readonly keys: WorkflowKeys,
  ) {}

  /** The recorded count (1 where none is recorded: a store written before partitions). */
  async count(): Promise<number> {
    if (this.known && Date.now() - this.known.readAtMs < REREAD_MS) return this.known.count;
    this.reading ??= this.redis
      .hget(this.keys.format, STEP_QUEUE_PARTITIONS_FIELD)
      .then((recorded) => {
        const count = Math.max(this.known?.count ?? 1, Number(recorded ?? 1) || 1);
        this.known = { count, readAtMs: Date.now() };
        return count;
      })
      .finally(() => (this.reading = undefined));
    return this.reading;
  }
}

/** The partition of `count` a step's jobs are queued in: its workflow and step id hashed. */
export function stepQueuePartitionOf(workflowId: string, stepId: string, count: number): number {
  return fnv1a(`${workflowId}.${stepId}`) % count;
}

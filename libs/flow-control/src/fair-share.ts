import { FlowControlKeys } from './flow-control-keys';
import { FlowControlRedis } from './flow-control-redis';

/** The workflow priorities: 1 runs first, 5 last; 3 unless the start request says otherwise. */
export const WORKFLOW_PRIORITIES = [1, 2, 3, 4, 5] as const;
export const DEFAULT_WORKFLOW_PRIORITY = 3;

/** BullMQ's highest job priority number (its lowest priority). */
const MAX_JOB_PRIORITY = 2_097_151;

/**
 * How long a tenant's queued counts live after its last queued step: a count a lost job left
 * wrong (a queue emptied by hand, say) heals once the tenant has been idle this long.
 */
const COUNT_TTL_MS = 60 * 60 * 1000;

/** Who a step's job is queued for: what its place in the queue is computed from. */
export interface FairShareOrigin {
  tenantId: string;
  /** The workflow's priority, 1..5. */
  priority: number;
}

/**
 * Fair sharing of an agent's queue between tenants, and priority within a tenant, with
 * open-source BullMQ's job `priority` (groups are BullMQ Pro's). Each step's job gets the
 * priority number `1 + 5 × ahead + (workflow priority − 1)`, where `ahead` counts the tenant's
 * steps already queued there at the same or a higher workflow priority (kept in Redis per tenant
 * and queue, counted down when a worker takes the job). So the n-th queued step of every tenant
 * lands in the same band: a tenant with 1,000 steps queued holds bands 0..999, and a tenant
 * starting one lands in band 0, behind at most one step of each other tenant: its wait is
 * bounded by the number of busy tenants, not by their backlogs (round-robin between tenants).
 * Within a tenant, a priority-1 workflow's step counts only the priority-1 steps ahead of it, so
 * it overtakes the tenant's queued priority-3 steps; across tenants priority only orders steps of
 * the same band, so no tenant buys its way past another's fair share. BullMQ serves equal
 * priority numbers first in, first out.
 */
export class FairShare {
  constructor(
    private readonly redis: FlowControlRedis,
    private readonly keys: FlowControlKeys,
  ) {}

  /** Counts a step queued for `origin` on `queue` and returns its job's BullMQ priority. */
  async queued(queue: string, origin: FairShareOrigin): Promise<number> {
    const priority = clampPriority(origin.priority);
    const ahead = (await this.redis.call(
      'fair_enqueue',
      [this.keys.fairShare(queue, origin.tenantId)],
      [priority, COUNT_TTL_MS],
    )) as number;
    return Math.min(MAX_JOB_PRIORITY, 1 + 5 * ahead + (priority - 1));
  }

  /** Counts a step's job as taken off `queue` by a worker. */
  async taken(queue: string, origin: FairShareOrigin): Promise<void> {
    await this.redis.call(
      'fair_dequeue',
      [this.keys.fairShare(queue, origin.tenantId)],
      [clampPriority(origin.priority)],
    );
  }
}

const clampPriority = (priority: number) =>
  Number.isInteger(priority) ? Math.min(5, Math.max(1, priority)) : DEFAULT_WORKFLOW_PRIORITY;

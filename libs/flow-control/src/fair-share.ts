import { FlowControlKeys } from './flow-control-keys';
import { FlowControlRedis } from './flow-control-redis';

/** The workflow priorities: 1 runs first, 5 last; 3 unless the start request says otherwise. */
export const WORKFLOW_PRIORITIES = [1, 2, 3, 4, 5] as const;
export const DEFAULT_WORKFLOW_PRIORITY = 3;

/** BullMQ's highest job priority number (its lowest priority). */
const MAX_JOB_PRIORITY = 2_097_151;

/**
 * How long a queue's fair-share clock and a tenant's bands live after their last use: a count a
 * lost job left wrong (a queue emptied by hand, say) heals once the queue has been idle this long.
 */
const IDLE_TTL_MS = 60 * 60 * 1000;

/** Who a step's job is queued for: what its place in the queue is computed from. */
export interface FairShareOrigin {
  tenantId: string;
  /** The workflow's priority, 1..5. */
  priority: number;
}

/** A queued step's place: its fair-share band, and the BullMQ job priority that puts it there. */
export interface FairSharePlace {
  band: number;
  jobPriority: number;
}

/**
 * Fair sharing of an agent's queue between tenants, and priority within a tenant, with
 * open-source BullMQ's job `priority` (groups are BullMQ Pro's): start-time fair queuing in bands.
 * Each queue keeps a clock, the band of the step taken last. A tenant's step lands in the later of
 * that band and the tenant's next free band, and its job gets the priority number
 * `1 + 5 × band + (workflow priority − 1)`; BullMQ serves equal numbers first in, first out. So:
 * - a tenant's steps keep the order they were queued in (each takes the band after the last);
 * - a tenant with 1,000 steps queued holds 1,000 bands from the clock on, and a tenant starting
 *   one lands at the clock, behind at most one step of each other tenant: its wait is bounded by
 *   the number of busy tenants, not by their backlogs (round-robin between tenants);
 * - within a tenant, a priority-1 step takes the next band free of the tenant's priority-1 steps,
 *   so it overtakes the tenant's queued priority-3 ones; across tenants priority only orders steps
 *   of the same band, so no tenant buys its way past another's fair share.
 * Bands start over from 0 whenever the queue has nothing queued. A queue that stays backlogged for
 * hundreds of thousands of steps reaches BullMQ's highest number, where its steps run first in,
 * first out until it drains.
 */
export class FairShare {
  constructor(
    private readonly redis: FlowControlRedis,
    private readonly keys: FlowControlKeys,
  ) {}

  /** Places a step queued for `origin` on `queue`. */
  async queued(queue: string, origin: FairShareOrigin): Promise<FairSharePlace> {
    const priority = clampPriority(origin.priority);
    const keys = this.keys.fairShare(queue, origin.tenantId);
    const band = (await this.redis.call(
      'fair_enqueue',
      [keys.clock, keys.tenant],
      [priority, IDLE_TTL_MS],
    )) as number;
    return { band, jobPriority: Math.min(MAX_JOB_PRIORITY, 1 + 5 * band + (priority - 1)) };
  }

  /** Counts a step's job as taken off `queue` by a worker; `band` is absent on jobs older than bands. */
  async taken(queue: string, step: { tenantId: string; band?: number }): Promise<void> {
    await this.redis.call(
      'fair_dequeue',
      [this.keys.fairShare(queue, step.tenantId).clock],
      [step.band ?? '', IDLE_TTL_MS],
    );
  }
}

const clampPriority = (priority: number) =>
  Number.isInteger(priority) ? Math.min(5, Math.max(1, priority)) : DEFAULT_WORKFLOW_PRIORITY;

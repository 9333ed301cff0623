import { StepConcurrencyLimit, StepRateLimit } from '@app/contracts';
import { FlowControlKeys } from './flow-control-keys';
import { FlowControlRedis } from './flow-control-redis';

/** The answer of a limit: go, or how long until it may let one more through. */
export type LimitAnswer = { isAllowed: true } | { isAllowed: false; retryInMs: number };

/** A concurrency slot's lease when its limit sets none: long enough to ride out a GC pause or a slow renewal. */
export const DEFAULT_LEASE_SECONDS = 30;

/** Asks the limits in Redis: rates by GCRA, concurrency by leased slots (limit-scripts.lua.ts). */
export class StepLimiter {
  constructor(
    private readonly redis: FlowControlRedis,
    private readonly keys: FlowControlKeys,
  ) {}

  /** Counts one step against a rate if it conforms; a step refused counts nothing. */
  async takeRate(limit: string, value: string, rate: StepRateLimit): Promise<LimitAnswer> {
    const intervalMs = (rate.periodSeconds * 1000) / rate.requests;
    const [isAllowed, retryInMs] = (await this.redis.call(
      'rate_acquire',
      [this.keys.rate(limit, value)],
      [intervalMs, rate.burst ?? 1],
    )) as [number, number];
    return isAllowed === 1 ? { isAllowed: true } : { isAllowed: false, retryInMs };
  }

  /** Takes (or renews, for the same token) a slot for `leaseMs`. */
  async takeSlot(
    limit: string,
    value: string,
    concurrency: StepConcurrencyLimit,
    token: string,
  ): Promise<LimitAnswer> {
    const [isAllowed, retryInMs] = (await this.redis.call(
      'slot_acquire',
      [this.keys.slots(limit, value)],
      [concurrency.slots, leaseMsOf(concurrency), token],
    )) as [number, number];
    return isAllowed === 1 ? { isAllowed: true } : { isAllowed: false, retryInMs };
  }

  /** Extends a held slot's lease; false when it had already run out. */
  async renewSlot(
    limit: string,
    value: string,
    concurrency: StepConcurrencyLimit,
    token: string,
  ): Promise<boolean> {
    const renewed = await this.redis.call(
      'slot_renew',
      [this.keys.slots(limit, value)],
      [leaseMsOf(concurrency), token],
    );
    return renewed === 1;
  }

  async releaseSlot(limit: string, value: string, token: string): Promise<void> {
    await this.redis.call('slot_release', [this.keys.slots(limit, value)], [token]);
  }
}

export const leaseMsOf = (concurrency: StepConcurrencyLimit) =>
  Math.round((concurrency.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000);

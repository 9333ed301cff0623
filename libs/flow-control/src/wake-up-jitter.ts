/** The most a wake-up is spread by: +20% of its delay... */
export const WAKE_UP_JITTER_SHARE = 0.2;
/** ...and never more than this, so a long wait is not made much longer. */
export const WAKE_UP_JITTER_MAX_MS = 1000;

/**
 * A refused step's delay, spread by a random 0-20% (at most 1 s): steps refused together (a
 * breaker open until one instant, a full concurrency limit whose earliest lease ends then) would
 * otherwise all come back at that instant and all but one be refused again.
 */
export function jitteredDelayMs(delayMs: number, random: () => number = Math.random): number {
  const spread = Math.min(delayMs * WAKE_UP_JITTER_SHARE, WAKE_UP_JITTER_MAX_MS);
  return Math.ceil(delayMs + spread * random());
}

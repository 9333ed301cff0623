/**
 * The per-key rate limit's counters in Redis, named once: the REST throttler (ApiKeyThrottlerGuard,
 * configured in AuthModule) and the Socket.IO events (SocketRateLimiter) draw on the same counter,
 * so a key has one budget whichever way it calls.
 *
 * Layout (P = REDIS_PREFIX; the throttler's Redis storage adds `P:rate-limit:` and its own
 * suffixes): `default:key:<api key id>` for a caller with a key, `default:ip:<address>` on the
 * public routes.
 */
export class RateLimitKeys {
  /** The throttler's name: one throttler, one budget per key for the whole API. */
  static readonly throttler = 'default';
  static readonly windowMs = 60_000;

  /** The storage's own key prefix. */
  static storagePrefix(redisPrefix: string): string {
    return `${redisPrefix}:rate-limit:`;
  }

  /** Who is counted: the API key when the caller has one, else the address. */
  static tracker(caller: { keyId: string } | undefined, address: unknown): string {
    return caller ? `key:${caller.keyId}` : `ip:${String(address)}`;
  }

  /** The counter of a tracker under a throttler. */
  static counter(tracker: string, throttler: string = RateLimitKeys.throttler): string {
    return `${throttler}:${tracker}`;
  }

  /** The counter of an API key. */
  static ofKey(keyId: string): string {
    return RateLimitKeys.counter(RateLimitKeys.tracker({ keyId }, null));
  }
}

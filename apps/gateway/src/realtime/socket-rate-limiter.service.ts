import { Inject, Injectable } from '@nestjs/common';
import { GatewayConfig } from '@app/config';
import { ThrottlerStorage } from '@nestjs/throttler';
import { RateLimitKeys } from '../auth/rate-limit-keys';

/**
 * Counts a socket's events against its API key's budget, the same Redis counter the REST rate
 * limit uses (see RateLimitKeys), so a key has one budget whichever way it calls.
 */
@Injectable()
export class SocketRateLimiter {
  constructor(
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    private readonly config: GatewayConfig,
  ) {}

  /** Counts one event; returns the seconds to wait when over the limit, or null. */
  async take(keyId: string): Promise<number | null> {
    const record = await this.storage.increment(
      RateLimitKeys.ofKey(keyId),
      RateLimitKeys.windowMs,
      this.config.RATE_LIMIT_PER_MINUTE,
      RateLimitKeys.windowMs,
      RateLimitKeys.throttler,
    );
    return record.isBlocked ? Math.max(1, record.timeToBlockExpire) : null;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { GatewayConfig } from '@app/config';
import { ThrottlerStorage } from '@nestjs/throttler';

const WINDOW_MS = 60_000;

/**
 * Counts a socket's events against its API key's budget, the same Redis counter the REST rate
 * limit uses (`default:key:<id>`), so a key has one budget whichever way it calls.
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
      `default:key:${keyId}`,
      WINDOW_MS,
      this.config.RATE_LIMIT_PER_MINUTE,
      WINDOW_MS,
      'default',
    );
    return record.isBlocked ? Math.max(1, record.timeToBlockExpire) : null;
  }
}

import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { GatewayConfig } from '@app/config';
import { REDIS_CLIENT, RedisClient } from '@app/redis';

/** How long a board session lasts: long enough to look into a failure, short enough to leak little. */
export const QUEUE_BOARD_SESSION_SECONDS = 15 * 60;

/**
 * The sessions of Bull Board, in Redis so that any gateway replica accepts them:
 * `<prefix>:queue-board-session:<token>` holds the admin key's id and expires by itself.
 */
@Injectable()
export class QueueBoardSessions {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    config: GatewayConfig,
  ) {
    this.prefix = `${config.REDIS_PREFIX}:queue-board-session:`;
  }

  /** Opens a session for an admin key; returns its token. */
  async open(keyId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.redis.set(this.prefix + token, keyId, 'EX', QUEUE_BOARD_SESSION_SECONDS);
    return token;
  }

  /** Whether the token is a session that has not expired. */
  async isOpen(token: string): Promise<boolean> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return false;
    return (await this.redis.exists(this.prefix + token)) === 1;
  }
}

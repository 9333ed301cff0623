import { Inject, Injectable, Logger } from '@nestjs/common';
import { MetricsConfig } from '@app/config';
import { MaintenanceJobName, MaintenanceReport } from '@app/contracts';
import { REDIS_CLIENT, RedisClient, scanKeys } from '@app/redis';
import { SessionMemoryKeys } from '@app/agents/session-memory-keys';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Deletes each key given that still has no TTL (a write in between gave it one); returns keys deleted. */
const DELETE_IF_NO_TTL = `
local deleted = 0
for _, key in ipairs(KEYS) do
  if redis.call('TTL', key) == -1 then deleted = deleted + redis.call('DEL', key) end
end
return deleted
`;

type RetentionRedis = RedisClient & { deleteIfNoTtl(count: number, ...keys: string[]): Promise<number> };

/** What Redis says about one session's two keys. */
interface SessionKeys {
  hashKey: string;
  historyKey: string;
  hashTtl: number;
  historyTtl: number;
  /** Seconds since the hash was last read or written; null when unknown (LFU policy) or absent. */
  hashIdleSeconds: number | null;
  /** `receivedAt` of the newest request in the history, in ms; null when none. */
  lastRequestMs: number | null;
}

/**
 * CleanupSessions: session memory (a hash and a history list per session, see SessionMemoryKeys)
 * normally expires by its TTL. This removes the
 * stragglers that carry no TTL (written by an older version, or persisted by hand) once the
 * session has been quiet for `SESSION_CLEANUP_DAYS`. A session's last activity is its newest
 * request in the history, or when the hash was last touched (OBJECT IDLETIME, which this job's
 * own reads do not reset).
 */
@Injectable()
export class SessionRetentionService {
  private readonly logger = new Logger(SessionRetentionService.name);
  private readonly redis: RetentionRedis;
  private readonly keys: SessionMemoryKeys;

  constructor(
    @Inject(REDIS_CLIENT) redis: RedisClient,
    private readonly config: MetricsConfig,
  ) {
    this.redis = redis as RetentionRedis;
    this.keys = new SessionMemoryKeys(config.REDIS_PREFIX);
    if (!('deleteIfNoTtl' in redis)) redis.defineCommand('deleteIfNoTtl', { lua: DELETE_IF_NO_TTL });
  }

  async run(now = new Date()): Promise<MaintenanceReport> {
    const cutoffMs = now.getTime() - this.config.SESSION_CLEANUP_DAYS * DAY_MS;
    const seen = new Set<string>();
    let sessions = 0;
    let keys = 0;
    let withTtl = 0;
    for await (const found of scanKeys(this.redis, this.keys.pattern)) {
      const hashKeys = [...new Set(found.map((key) => this.keys.sessionKeyOf(key)))].filter(
        (key) => !seen.has(key),
      );
      hashKeys.forEach((key) => seen.add(key));
      for (const session of await this.inspect(hashKeys)) {
        const stragglers = [
          ...(session.hashTtl === -1 ? [session.hashKey] : []),
          ...(session.historyTtl === -1 ? [session.historyKey] : []),
        ];
        if (stragglers.length === 0) {
          withTtl += 1;
          continue;
        }
        const lastActivityMs = Math.max(
          session.lastRequestMs ?? -Infinity,
          session.hashIdleSeconds === null ? -Infinity : Date.now() - session.hashIdleSeconds * 1000,
        );
        if (lastActivityMs === -Infinity || lastActivityMs >= cutoffMs) continue;
        const deleted = await this.redis.deleteIfNoTtl(stragglers.length, ...stragglers);
        if (deleted > 0) {
          sessions += 1;
          keys += deleted;
        }
      }
    }
    const cutoff = new Date(cutoffMs).toISOString();
    this.logger.log(
      `removed ${sessions} sessions (${keys} keys) without TTL, quiet since before ${cutoff}; ` +
        `${withTtl} sessions left to expire by their TTL`,
    );
    return { job: MaintenanceJobName.CleanupSessions, cutoff, removed: sessions };
  }

  /** One pipeline per session: its two keys share a slot, different sessions' may not. */
  private async inspect(hashKeys: string[]): Promise<SessionKeys[]> {
    return Promise.all(
      hashKeys.map(async (hashKey) => {
        // OBJECT IDLETIME first: LINDEX below touches the history key (never the hash).
        const [idle, hashTtl, historyTtl, newest] =
          (await this.redis
            .pipeline()
            .object('IDLETIME', hashKey)
            .ttl(hashKey)
            .ttl(this.keys.historyKeyOf(hashKey))
            .lindex(this.keys.historyKeyOf(hashKey), -1)
            .exec()) ?? [];
        return {
          hashKey,
          historyKey: this.keys.historyKeyOf(hashKey),
          hashIdleSeconds: idle[0] === null && typeof idle[1] === 'number' ? idle[1] : null,
          hashTtl: hashTtl[1] as number,
          historyTtl: historyTtl[1] as number,
          lastRequestMs: receivedAtOf(newest[0] === null ? newest[1] : null),
        };
      }),
    );
  }
}

function receivedAtOf(entry: unknown): number | null {
  if (typeof entry !== 'string') return null;
  try {
    const receivedAt = Date.parse((JSON.parse(entry) as { receivedAt?: string }).receivedAt ?? '');
    return Number.isNaN(receivedAt) ? null : receivedAt;
  } catch {
    return null;
  }
}

import Redis from 'ioredis';
import { RedisClient } from '@app/redis';
import { SessionPreferences } from '../session-preferences.model';
import { SiteSpec } from '../site-spec.model';
import { SessionMemoryKeys } from './session-memory-keys';

/** One request the session sent, as remembered. */
export interface RequestRecord {
  workflowId: string;
  workflowType: string;
  request: string;
  /** ISO-8601. */
  receivedAt: string;
}

/** Everything a session remembers between workflows. */
export interface SessionMemory {
  sessionId: string;
  preferences: SessionPreferences;
  siteId: string | null;
  siteSpec: SiteSpec | null;
  /** Oldest first, at most {@link HISTORY_LIMIT} entries. */
  history: RequestRecord[];
}

export interface SessionMemoryStoreOptions {
  redis: RedisClient;
  /** Prepended to every key (with a `:` added if missing), so tests and deployments of one Redis do not collide. */
  keyPrefix: string;
  /** `SESSION_TTL_HOURS`: a session forgotten this long after its last write is gone. */
  ttlHours: number;
}

/** Enough to give an update its context without letting one chatty session grow without bound. */
export const HISTORY_LIMIT = 50;

/**
 * Session memory in Redis: a hash (preferences, siteId, siteSpec) and a list (request history),
 * both given a fresh TTL by every write so that an active session never expires mid-way.
 */
export class SessionMemoryStore {
  private readonly redis: RedisClient;
  private readonly keys: SessionMemoryKeys;
  private readonly ttlSeconds: number;

  constructor(options: SessionMemoryStoreOptions) {
    if (!(options.ttlHours > 0)) throw new Error(`ttlHours must be positive, got ${options.ttlHours}`);
    this.redis = options.redis;
    this.keys = new SessionMemoryKeys(options.keyPrefix);
    this.ttlSeconds = Math.round(options.ttlHours * 3600);
  }

  async load(sessionId: string): Promise<SessionMemory> {
    const [fields, history] = await Promise.all([
      this.redis.hgetall(this.keys.session(sessionId)),
      this.redis.lrange(this.keys.history(sessionId), 0, -1),
    ]);
    return {
      sessionId,
      preferences: parseJson<SessionPreferences>(fields.preferences) ?? {},
      siteId: fields.siteId ?? null,
      siteSpec: parseJson<SiteSpec>(fields.siteSpec),
      history: history.map((entry) => parseJson<RequestRecord>(entry)).filter((entry) => entry !== null),
    };
  }

  /**
   * Appends a request to the history. A step retried by the engine records the same workflow
   * again, so a request already recorded for this workflow is not added twice.
   */
  async recordRequest(sessionId: string, record: RequestRecord): Promise<void> {
    const recent = await this.redis.lrange(this.keys.history(sessionId), -HISTORY_LIMIT, -1);
    const isRecorded = recent.some(
      (entry) => parseJson<RequestRecord>(entry)?.workflowId === record.workflowId,
    );
    const transaction = this.redis.multi();
    if (!isRecorded) {
      transaction.rpush(this.keys.history(sessionId), JSON.stringify(record));
      transaction.ltrim(this.keys.history(sessionId), -HISTORY_LIMIT, -1);
    }
    await this.refreshTtl(transaction, sessionId).exec();
  }

  /** Merges preferences over the remembered ones. */
  async savePreferences(sessionId: string, preferences: SessionPreferences): Promise<SessionPreferences> {
    const current =
      parseJson<SessionPreferences>(await this.redis.hget(this.keys.session(sessionId), 'preferences')) ?? {};
    const merged = { ...current, ...preferences };
    const transaction = this.redis
      .multi()
      .hset(this.keys.session(sessionId), 'preferences', JSON.stringify(merged));
    await this.refreshTtl(transaction, sessionId).exec();
    return merged;
  }

  /** Remembers the site this session publishes to and the spec it was built from. */
  async saveSite(sessionId: string, site: { siteId: string; spec: SiteSpec }): Promise<void> {
    const transaction = this.redis
      .multi()
      .hset(this.keys.session(sessionId), 'siteId', site.siteId, 'siteSpec', JSON.stringify(site.spec));
    await this.refreshTtl(transaction, sessionId).exec();
  }

  /** Forgets the session entirely. */
  async clear(sessionId: string): Promise<void> {
    await this.redis.del(this.keys.session(sessionId), this.keys.history(sessionId));
  }

  private refreshTtl(transaction: ReturnType<Redis['multi']>, sessionId: string): ReturnType<Redis['multi']> {
    // EXPIRE on a key that does not exist (no history yet) is a harmless no-op.
    return transaction
      .expire(this.keys.session(sessionId), this.ttlSeconds)
      .expire(this.keys.history(sessionId), this.ttlSeconds);
  }
}

function parseJson<T>(text: string | null | undefined): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

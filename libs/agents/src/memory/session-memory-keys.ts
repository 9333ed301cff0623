import { escapeHashTagPart } from '@app/redis/hash-tag';

/**
 * Every Redis key of session memory, declared once: the website agents write them
 * (SessionMemoryStore) and the metrics service's retention job finds and removes the ones left
 * without a TTL (SessionRetentionService), so both read the layout from here.
 *
 * Layout (P = the deployment's key prefix, REDIS_PREFIX), a session's keys under one hash tag so
 * that one transaction writes both on a Redis Cluster (a brace in the id is escaped, as `%7b`):
 *   P:session:{<id>}          hash: the session's site (siteId, siteSpec)
 *   P:session:{<id>}:history  list: the session's requests, oldest first
 */
export class SessionMemoryKeys {
  private readonly prefix: string;

  /** `prefix` with or without its trailing ':' (`''` for keys without one). */
  constructor(prefix: string) {
    this.prefix = prefix === '' || prefix.endsWith(':') ? prefix : `${prefix}:`;
  }

  session(sessionId: string): string {
    return `${this.prefix}session:{${escapeHashTagPart(sessionId)}}`;
  }

  history(sessionId: string): string {
    return `${this.session(sessionId)}${HISTORY_SUFFIX}`;
  }

  /** A SCAN pattern matching every key of every session. */
  get pattern(): string {
    return `${this.prefix}session:*`;
  }

  /** The session hash's key of any session key (its history's, or its own). */
  sessionKeyOf(key: string): string {
    return key.endsWith(HISTORY_SUFFIX) ? key.slice(0, -HISTORY_SUFFIX.length) : key;
  }

  /** The history key of a session hash's key. */
  historyKeyOf(sessionKey: string): string {
    return `${sessionKey}${HISTORY_SUFFIX}`;
  }
}

const HISTORY_SUFFIX = ':history';

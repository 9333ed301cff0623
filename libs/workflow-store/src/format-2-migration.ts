import { SessionMemoryKeys } from '@app/agents/session-memory-keys';
import { queueKeyPrefix } from '@app/contracts';
import { RedisClient, keysMatching } from '@app/redis';
import { agentDirectoryKeys } from './agent-directory';

/** Where format 2 kept the agent directory (P = prefix): plain keys, in no common slot. */
const FORMAT_2_DIRECTORY = (prefix: string) => ({
  catalogue: `${prefix}:agents`,
  workers: `${prefix}:workers`,
  heartbeats: `${prefix}:workers:heartbeats`,
});

const SCAN_COUNT = 500;

/**
 * Moves a format-2 deployment's keys that a Redis Cluster could not serve into format 3, in place
 * on the one Redis format 2 ran on: every BullMQ queue's keys from `<prefix>:<queue>:...` to
 * `<prefix>:{<queue>}:<queue>:...` (queueKeyPrefix), the agent directory under its hash tag, and
 * each session's two keys under its id as hash tag (SessionMemoryKeys).
 * RENAME keeps each key's TTL, and BullMQ's jobs hold no key names, so waiting, delayed, active
 * and finished jobs and job schedulers carry on under the new names. A crash midway leaves the
 * rest under the old names, which the next start moves.
 */
export async function moveFormat2Keys(
  redis: RedisClient,
  prefix: string,
  log: (message: string) => void,
): Promise<void> {
  const queues = await format2Queues(redis, prefix);
  for (const queue of queues) {
    const keys = await keysMatching(redis, `${prefix}:${globEscape(queue)}:*`, SCAN_COUNT);
    for (const key of keys) {
      const rest = key.slice(`${prefix}:${queue}:`.length);
      await redis.rename(key, `${queueKeyPrefix(prefix, queue)}:${queue}:${rest}`);
    }
    log(`moved queue ${queue} (${keys.length} keys) under its hash tag`);
  }
  const from = FORMAT_2_DIRECTORY(prefix);
  const to = agentDirectoryKeys(prefix);
  for (const name of ['catalogue', 'workers', 'heartbeats'] as const) {
    if (await redis.exists(from[name])) await redis.rename(from[name], to[name]);
  }
  await moveSessions(redis, prefix, log);
}

/** Format 2's `<prefix>:session:<id>` and `:history` to SessionMemoryKeys' tagged names. */
async function moveSessions(
  redis: RedisClient,
  prefix: string,
  log: (message: string) => void,
): Promise<void> {
  const sessions = new SessionMemoryKeys(prefix);
  const start = `${prefix}:session:`;
  const old = (await keysMatching(redis, `${start}*`, SCAN_COUNT)).filter(
    (key) => !key.startsWith(`${start}{`),
  );
  for (const key of old) {
    // The old hash's key, whichever of the two this is, names the session (SessionMemoryKeys).
    const hashKey = sessions.sessionKeyOf(key);
    const sessionId = hashKey.slice(start.length);
    await redis.rename(key, key === hashKey ? sessions.session(sessionId) : sessions.history(sessionId));
  }
  if (old.length > 0) log(`moved ${old.length} session keys under their sessions’ hash tags`);
}

/** The queues format 2 kept: each BullMQ queue has a `<prefix>:<queue>:meta` hash naming BullMQ. */
async function format2Queues(redis: RedisClient, prefix: string): Promise<string[]> {
  const queues: string[] = [];
  for (const key of await keysMatching(redis, `${prefix}:*:meta`, SCAN_COUNT)) {
    const queue = new RegExp(`^${regExpEscape(prefix)}:([^:{}]+):meta$`).exec(key)?.[1];
    if (queue && (await redis.hget(key, 'version'))?.startsWith('bullmq')) queues.push(queue);
  }
  return queues;
}

const globEscape = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');
const regExpEscape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

import Redis from 'ioredis';

/**
 * One ioredis connection. `maxRetriesPerRequest: null` makes commands wait for a Redis that
 * restarts instead of failing, which BullMQ requires and the state machine wants.
 * `autoPipelining` sends the commands issued in one tick as one write: the shared command
 * connection carries every step transition, and one write per command cost the engine a
 * quarter of its CPU under load. Not for subscriber connections.
 */
export function createRedisConnection(url: string, name: string, { autoPipelining = false } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: name,
    enableAutoPipelining: autoPipelining,
  });
}

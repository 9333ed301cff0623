import { RedisLocation, parseRedisUrl } from '@app/config/redis-url';
import Redis, { Cluster, RedisOptions } from 'ioredis';

const FAILOVER_RETRY_MS = 300;
const FAILOVER_WAIT_MS = 60_000;

/** A connection to the deployment's Redis: one server (or a Sentinel-found primary), or a Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * One ioredis connection to REDIS_URL's Redis (see parseRedisUrl): a Redis, a primary found
 * through Sentinel, or a Redis Cluster. `maxRetriesPerRequest: null` makes commands wait for a
 * Redis that restarts (or fails over) instead of failing, which BullMQ requires and the state
 * machine wants. `autoPipelining` sends the commands issued in one tick as one write: the shared
 * command connection carries every step transition, and one write per command cost the engine a
 * quarter of its CPU under load. Not for subscriber connections.
 */
export function createRedisConnection(
  url: string,
  name: string,
  { autoPipelining = false } = {},
): RedisClient {
  const location = parseRedisUrl(url);
  if ('error' in location) throw new Error(`REDIS_URL ${location.error}`);
  const options: RedisOptions = {
    maxRetriesPerRequest: null,
    connectionName: name,
    enableAutoPipelining: autoPipelining,
    ...credentialsOf(location),
  };
  switch (location.kind) {
    case 'single':
      return new Redis(location.url, options);
    case 'sentinel':
      return new Redis({ ...options, sentinels: location.sentinels, name: location.name });
    case 'cluster':
      return new Cluster(location.nodes, {
        redisOptions: options,
        enableAutoPipelining: autoPipelining,
        // Each shard channel (SSUBSCRIBE) is served by its slot's primary.
        shardedSubscribers: true,
        // While a primary fails over, a command to it fails ("Connection is closed", CLUSTERDOWN,
        // then MOVED to its promoted replica): it is sent again every 300 ms for up to a minute,
        // which covers a failover at the default cluster-node-timeout of 15 s.
        retryDelayOnFailover: FAILOVER_RETRY_MS,
        retryDelayOnClusterDown: FAILOVER_RETRY_MS,
        maxRedirections: FAILOVER_WAIT_MS / FAILOVER_RETRY_MS,
      });
  }
}

function credentialsOf(location: RedisLocation): RedisOptions {
  if (location.kind === 'single') return {};
  return {
    ...(location.username ? { username: location.username } : {}),
    ...(location.password ? { password: location.password } : {}),
    ...(location.tls ? { tls: {} } : {}),
  };
}

/** Whether `redis` is a Redis Cluster connection. */
export function isCluster(redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster;
}

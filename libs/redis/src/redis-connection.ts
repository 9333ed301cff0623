import { RedisLocation, parseRedisUrl } from '@app/config/redis-url';
import type { ConnectionOptions } from 'bullmq';
import Redis, { Cluster, RedisOptions } from 'ioredis';

const FAILOVER_RETRY_MS = 300;
/** Commands whose key comes after a subcommand (`XGROUP CREATE <key>`), as the apps send them. */
const KEYS_AFTER_SUBCOMMAND = ['xgroup', 'xinfo', 'object', 'memory'];
const FAILOVER_WAIT_MS = 60_000;

/** Options of a connection to one server; no retry strategy of its own (BullMQ's types allow none). */
type ServerOptions = Omit<RedisOptions, 'retryStrategy'>;

/** A connection to the deployment's Redis: one server (or a Sentinel-found primary), or a Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * The ioredis options of a connection to REDIS_URL's Redis, when it is one server or a primary
 * found through Sentinel (a Redis Cluster needs a Cluster connection: createRedisConnection).
 * For what makes its own connections from options: BullMQ, the gateway's rate limiter.
 * `maxRetriesPerRequest: null` makes commands wait for a Redis that restarts (or fails over)
 * instead of failing, which BullMQ requires and the state machine wants; a READONLY answer (a
 * primary demoted to replica under it) reconnects, through Sentinel to the new primary, and the
 * command is sent again.
 */
export function redisOptionsOf(url: string, name: string): ServerOptions {
  const location = locate(url);
  if (location.kind === 'cluster')
    throw new Error('REDIS_URL names a Redis Cluster: connect to it with createRedisConnection');
  return { ...serverOptions(location, name), ...pointAt(location) };
}

/**
 * One ioredis connection to REDIS_URL's Redis (see parseRedisUrl): a Redis, a primary found
 * through Sentinel, or a Redis Cluster. `autoPipelining` sends the commands issued in one tick as
 * one write: the shared command connection carries every step transition, and one write per
 * command cost the engine a quarter of its CPU under load. Not for subscriber connections.
 * `keyPrefix` is put before every key, for a library that names its own keys (the rate limiter).
 */
export function createRedisConnection(
  url: string,
  name: string,
  { autoPipelining = false, keyPrefix }: { autoPipelining?: boolean; keyPrefix?: string } = {},
): RedisClient {
  const location = locate(url);
  if (location.kind !== 'cluster')
    return new Redis({ ...redisOptionsOf(url, name), enableAutoPipelining: autoPipelining, keyPrefix });
  return new Cluster(location.nodes, {
    keyPrefix,
    redisOptions: serverOptions(location, name),
    enableAutoPipelining: autoPipelining,
    // Commands whose key ioredis cannot find (it follows a subcommand) go to any node, and a
    // MOVED answer inside an automatic pipeline is not followed: they are sent on their own.
    autoPipeliningIgnoredCommands: KEYS_AFTER_SUBCOMMAND,
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

/** BullMQ's connection to the deployment's Redis, and how to close it once its users are closed. */
export interface QueueConnection {
  connection: ConnectionOptions;
  close(): Promise<void>;
}

/**
 * BullMQ's connection to REDIS_URL's Redis. To one server (or a Sentinel-found primary), options:
 * BullMQ makes its own connections from them and closes them with each queue and worker. To a
 * Redis Cluster, one Cluster connection (BullMQ cannot make one from options): its queues share
 * it, each Worker duplicates it for its blocking reads, and BullMQ never closes it, so `close`
 * does, after them.
 */
export function createQueueConnection(url: string, name: string): QueueConnection {
  if (locate(url).kind !== 'cluster')
    return { connection: redisOptionsOf(url, name), close: () => Promise.resolve() };
  const cluster = createRedisConnection(url, name);
  return {
    connection: cluster,
    close: async () => {
      await cluster.quit().catch(() => cluster.disconnect());
    },
  };
}

/**
 * Every key matching `match`, walked with SCAN on each primary of a cluster (a Cluster's own SCAN
 * reads one node) or on the one server, a batch at a time.
 */
export async function* scanKeys(redis: RedisClient, match: string, count = 1000): AsyncGenerator<string[]> {
  for (const server of isCluster(redis) ? redis.nodes('master') : [redis]) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', match, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}

/** Every key matching `match`, in one array (see scanKeys): for a bounded set of keys. */
export async function keysMatching(redis: RedisClient, match: string, count?: number): Promise<string[]> {
  const found: string[] = [];
  for await (const keys of scanKeys(redis, match, count)) found.push(...keys);
  return found;
}

/** Whether `redis` is a Redis Cluster connection. */
export function isCluster(redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster;
}

function locate(url: string): RedisLocation {
  const location = parseRedisUrl(url);
  if ('error' in location) throw new Error(`REDIS_URL ${location.error}`);
  return location;
}

/** What every connection to one of the servers takes: its name, retries, credentials. */
function serverOptions(location: RedisLocation, name: string): ServerOptions {
  return {
    maxRetriesPerRequest: null,
    connectionName: name,
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
    ...(location.kind !== 'single' && location.username ? { username: location.username } : {}),
    ...(location.kind !== 'single' && location.password ? { password: location.password } : {}),
    ...(location.kind !== 'single' && location.tls ? { tls: {} } : {}),
  };
}

/** Where the one server is: the URL's host, port, credentials and database, or Sentinel's primary. */
function pointAt(location: Exclude<RedisLocation, { kind: 'cluster' }>): ServerOptions {
  if (location.kind === 'sentinel') {
    return {
      sentinels: location.sentinels,
      name: location.name,
      ...(location.tls ? { enableTLSForSentinelMode: true } : {}),
    };
  }
  const url = new URL(location.url);
  const database = url.pathname.slice(1);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(database ? { db: Number(database) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

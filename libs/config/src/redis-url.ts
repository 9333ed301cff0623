// The forms REDIS_URL takes: one Redis, a Redis Cluster, or a primary found through Sentinel.
import { parseUrl } from './redaction';

export interface RedisHost {
  host: string;
  port: number;
}

/** Where a service's Redis is, read from REDIS_URL by {@link parseRedisUrl}. */
export type RedisLocation =
  /** `redis://` or `rediss://`: one Redis (ioredis takes the URL itself). */
  | { kind: 'single'; url: string }
  /** `redis+cluster://[user:password@]host:port,host:port,...`: the seed nodes of a Redis Cluster. */
  | { kind: 'cluster'; nodes: RedisHost[]; username?: string; password?: string; tls: boolean }
  /** `redis+sentinel://[user:password@]host:port,.../<primary name>`: Sentinels and the primary's name. */
  | {
      kind: 'sentinel';
      sentinels: RedisHost[];
      name: string;
      username?: string;
      password?: string;
      tls: boolean;
    };

/** What REDIS_URL must be, as its error says. */
export const REDIS_URL_FORMS = 'must be a redis://, rediss://, redis+cluster:// or redis+sentinel:// URL';
const MULTI_HOST =
  /^(rediss?)\+(cluster|sentinel):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)(?:\/([^?#]*))?$/;

/** REDIS_URL read, or a message that says what is wrong with it. */
export function parseRedisUrl(url: string): RedisLocation | { error: string } {
  if (/^rediss?:\/\//.test(url)) return parseUrl(url) ? { kind: 'single', url } : { error: REDIS_URL_FORMS };
  const match = MULTI_HOST.exec(url);
  if (!match) return { error: REDIS_URL_FORMS };
  const [, scheme, kind, username, password, hostList, path] = match;
  const hosts: RedisHost[] = [];
  for (const entry of hostList.split(',')) {
    const [host, port] = entry.split(':');
    if (!host || !/^\d+$/.test(port ?? '') || Number(port) > 65535)
      return { error: `names a node "${entry}" that is not host:port` };
    hosts.push({ host, port: Number(port) });
  }
  const auth = {
    ...(username ? { username: decodeURIComponent(username) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    tls: scheme === 'rediss',
  };
  if (kind === 'cluster') return { kind: 'cluster', nodes: hosts, ...auth };
  if (!path) return { error: 'must end with /<primary name> for Sentinel' };
  return { kind: 'sentinel', sentinels: hosts, name: decodeURIComponent(path), ...auth };
}

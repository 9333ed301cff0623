import { RedisClient } from '@app/redis';

/**
 * The keys under `prefix:` whose name or value contains `needle`, of every RedisClient type: to show
 * that nothing about a request was recorded, whatever key layout the store uses.
 */
export async function keysMentioning(redis: RedisClient, prefix: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      if (key.includes(needle) || (await valuesOf(redis, key)).some((value) => value.includes(needle)))
        found.push(key);
    }
  } while (cursor !== '0');
  return found;
}

async function valuesOf(redis: RedisClient, key: string): Promise<string[]> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return [(await redis.get(key)) ?? ''];
    case 'hash':
      return Object.entries(await redis.hgetall(key)).flat();
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'set':
      return redis.smembers(key);
    case 'zset':
      return redis.zrange(key, 0, -1);
    case 'stream':
      return (await redis.xrange(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]);
    default:
      // Gone between SCAN and TYPE ('none'), or a module type no test writes.
      return [];
  }
}

import { parseRedisUrl } from './redis-url';

describe('parseRedisUrl (the forms REDIS_URL takes)', () => {
  it('takes one Redis as its URL', () => {
    expect(parseRedisUrl('redis://:secret@cache:6380/2')).toEqual({
      kind: 'single',
      url: 'redis://:secret@cache:6380/2',
    });
    expect(parseRedisUrl('rediss://cache:6380')).toMatchObject({ kind: 'single' });
  });

  it('reads the seed nodes and credentials of a Redis Cluster', () => {
    expect(parseRedisUrl('redis+cluster://app:p%40ss@10.0.0.1:7000,10.0.0.2:7001')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      username: 'app',
      password: 'p@ss',
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://a:1')).toMatchObject({ kind: 'cluster', tls: true });
  });

  it('reads the Sentinels and the name of the primary they watch', () => {
    expect(parseRedisUrl('redis+sentinel://:pw@s1:26379,s2:26379/orchestrator')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'orchestrator',
      password: 'pw',
      tls: false,
    });
  });

  it('says what is wrong with anything else', () => {
    expect(parseRedisUrl('localhost:6379')).toEqual({
      error: 'must be a redis://, rediss://, redis+cluster:// or redis+sentinel:// URL',
    });
    // An '@' after the host would show a password in error messages: refused, as every URL is.
    expect(parseRedisUrl('redis://:secret@127.0.0.1:6379/0@x')).toEqual({
      error: 'must be a redis://, rediss://, redis+cluster:// or redis+sentinel:// URL',
    });
    expect(parseRedisUrl('redis+cluster://a:1,b')).toEqual({
      error: 'names a node "b" that is not host:port',
    });
    expect(parseRedisUrl('redis+sentinel://s1:26379')).toEqual({
      error: 'must end with /<primary name> for Sentinel',
    });
  });
});

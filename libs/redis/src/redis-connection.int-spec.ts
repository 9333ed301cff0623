import { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { spawnRedisServer } from '../../../test/support/redis-server';
import { waitFor } from '../../../test/support/wait-for';
import { RedisClient, createRedisConnection } from './redis-connection';

/** A redis-server (or a Sentinel) of the spec's own in `dir`. */
async function server(dir: string, args: string[]): Promise<{ port: number; process: ChildProcess }> {
  const { port, server: child } = await spawnRedisServer([...args, '--dir', dir]);
  return { port, process: child };
}

/**
 * REDIS_URL as `redis+sentinel://`: a primary, its replica and a Sentinel watching them, all the
 * spec's own. When the primary dies, Sentinel promotes the replica and the connection follows it,
 * with nothing it acknowledged lost.
 */
describe('createRedisConnection through Sentinel (real redis-server and Sentinel)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-spec-'));
  const started: ChildProcess[] = [];
  let connection: RedisClient | undefined;

  afterAll(() => {
    connection?.disconnect();
    for (const child of started)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the primary through Sentinel and follows it to the promoted replica after a failover', async () => {
    const primary = await server(mkdtempSync(join(dir, 'p-')), ['--save', '', '--appendonly', 'no']);
    const replica = await server(mkdtempSync(join(dir, 'r-')), [
      ...['--save', '', '--appendonly', 'no'],
      ...['--replicaof', '127.0.0.1', String(primary.port)],
    ]);
    // Attached before the Sentinel starts, so that the Sentinel's first look finds it.
    const primaryClient = new Redis(primary.port, '127.0.0.1');
    await waitFor(
      async () => (/slave0:.*state=online/.test(await primaryClient.info('replication')) ? true : undefined),
      'the replica to attach',
    );
    primaryClient.disconnect();
    const sentinelConfig = join(dir, 'sentinel.conf');
    writeFileSync(
      sentinelConfig,
      [
        `sentinel monitor spec-primary 127.0.0.1 ${primary.port} 1`,
        'sentinel down-after-milliseconds spec-primary 1000',
        'sentinel failover-timeout spec-primary 5000',
      ].join('\n') + '\n',
    );
    const sentinel = await server(dir, [sentinelConfig, '--sentinel']);
    started.push(primary.process, replica.process, sentinel.process);

    connection = createRedisConnection(
      `redis+sentinel://127.0.0.1:${sentinel.port}/spec-primary`,
      'sentinel-spec',
    );
    await connection.set('before', '1');
    expect(await connection.info('server')).toContain(`tcp_port:${primary.port}`);
    // The replica has it before the primary dies (WAIT), so the failover itself is what is tested.
    expect(await connection.call('WAIT', '1', '2000')).toBe(1);

    primary.process.kill('SIGKILL');
    // Sent while the primary is gone: waits for the promoted replica.
    await connection.set('during', '2');
    expect(await connection.info('server')).toContain(`tcp_port:${replica.port}`);
    expect(await connection.mget('before', 'during')).toEqual(['1', '2']);
  }, 60_000);
});

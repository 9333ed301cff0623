// `npm run test:cluster`: runs a command (jest on the cluster subset) against a Redis Cluster of
// its own, three primaries with a replica each, started here and stopped when the command ends.
// The command finds it in TEST_REDIS_URL (`redis+cluster://`), as the specs and the apps they
// start take it.
import { spawn } from 'node:child_process';
import { RedisCluster } from './redis-cluster';

/** Redis's own default: the subset runs no failover, so a primary busy for a moment is not one. */
const NODE_TIMEOUT_MS = 15_000;

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (!command) throw new Error('usage: with-redis-cluster <command> [args...]');
  const cluster = await RedisCluster.start({ primaries: 3, replicasEach: 1, nodeTimeoutMs: NODE_TIMEOUT_MS });
  try {
    const child = spawn(command, args, {
      stdio: 'inherit',
      env: { ...process.env, TEST_REDIS_URL: cluster.url },
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    await cluster.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

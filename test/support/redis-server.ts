import { ChildProcess, spawn } from 'node:child_process';
import Redis from 'ioredis';
import { freePort } from './test-environment';
import { waitFor } from './wait-for';

/** Sends one command to the redis-server on `port` over a connection of its own, then closes it. */
export async function askRedis(port: number, ...command: string[]): Promise<unknown> {
  const client = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // refused while the server is not listening: the caller asks again
  try {
    await client.connect();
    return await client.call(command[0], ...command.slice(1));
  } finally {
    client.disconnect();
  }
}

/** Resolves once the redis-server on `port` answers PING. */
export async function untilRedisAnswers(port: number): Promise<void> {
  await waitFor(
    async () => ((await askRedis(port, 'PING').catch(() => '')) === 'PONG' ? true : undefined),
    `redis-server on port ${port}`,
  );
}

/**
 * A redis-server of a spec's or bench's own (never the machine's shared one) on a free port,
 * with `args` (a config file first, if any), resolving once it answers.
 */
export async function spawnRedisServer(args: string[]): Promise<{ port: number; server: ChildProcess }> {
  const port = await freePort();
  const server = spawn('redis-server', [...args, '--port', String(port), '--bind', '127.0.0.1'], {
    stdio: 'ignore',
  });
  await untilRedisAnswers(port);
  return { port, server };
}

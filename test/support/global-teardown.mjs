// Removes what the specs leave outside their key prefixes (the workflow store's Redis function
// library, shared by every prefix), then stops what global-setup.mjs had to start.
import Redis from 'ioredis';

async function removeFunctionLibraries() {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  // A cluster's URL lists its nodes (`redis+cluster://h:p,h:p`); each primary holds the libraries.
  const nodes = url.startsWith('redis+cluster://')
    ? url
        .slice('redis+cluster://'.length)
        .split(',')
        .map((node) => `redis://${node}`)
    : [url];
  for (const node of nodes) {
    const redis = new Redis(node, { lazyConnect: true });
    try {
      await redis.connect();
      if ((await redis.role())[0] !== 'master') continue;
      const libraries = await redis.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'workflow_store_*');
      // Each library is a flat [key, value, ...] list whose second entry is its name.
      for (const [, name] of libraries) await redis.call('FUNCTION', 'DELETE', name);
    } finally {
      redis.disconnect();
    }
  }
}

export default async function globalTeardown() {
  await removeFunctionLibraries();
  for (const stop of (globalThis.__privateServices ?? []).reverse()) await stop();
}

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { runMigrations } from '@app/persistence';
import { AGENT_STEPS_QUEUE_PREFIX, queueKeyPrefix } from '@app/contracts';
import {
  QueueConnection,
  RedisClient,
  createQueueConnection,
  createRedisConnection,
  keysMatching,
} from '@app/redis';
import { WorkflowStore, stepOfStepJob, stepQueuePartitionOf } from '@app/workflow-store';
import { KeyPrefixOptions, QueueBaseOptions } from 'bullmq';
import { Client } from 'pg';

/** The machine's services, overridable for CI or a developer's own setup. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The admin key every test system accepts (through `BOOTSTRAP_ADMIN_KEY`). */
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A connection to the test Redis: one server, or the Redis Cluster a cluster run points
 * TEST_REDIS_URL at (`redis+cluster://`), made the way the apps make theirs.
 */
export function connectTestRedis(name = 'test'): RedisClient {
  return createRedisConnection(TEST_REDIS_URL, name);
}

/** Every key under `prefix:`, from every primary when the test Redis is a cluster. */
export function keysUnder(redis: RedisClient, prefix: string): Promise<string[]> {
  return keysMatching(redis, `${prefix}:*`);
}

/** Deletes every key under `prefix:` from the test Redis (one by one: on a cluster they span slots). */
export async function removeRedisKeys(prefix: string): Promise<void> {
  const redis = connectTestRedis('test-cleanup');
  try {
    await Promise.all((await keysUnder(redis, prefix)).map((key) => redis.unlink(key)));
  } finally {
    await redis.quit();
  }
}

/**
 * A private corner of the shared Redis and PostgreSQL for one test file: a key prefix and a
 * schema of its own (migrated), both removed by `dispose`.
 */
export class TestNamespace {
  readonly id = `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  readonly redisPrefix = this.id;
  readonly schema = this.id;
  /** How many partitions the step queues have here (STEP_QUEUE_PARTITIONS, which the cluster run sets). */
  readonly stepQueuePartitions = Number(process.env.STEP_QUEUE_PARTITIONS ?? 1);
  private queueConnection?: QueueConnection;

  /**
   * Migrates the schema. With STEP_QUEUE_PARTITIONS set (the cluster run sets it), records that
   * partition count for the namespace first, as an app's start would: workers a test starts
   * before its apps then consume every partition from the start.
   */
  async prepare(): Promise<this> {
    await runMigrations({ url: TEST_DATABASE_URL, schema: this.schema });
    const partitions = this.stepQueuePartitions;
    if (partitions > 1) {
      const redis = connectTestRedis(`${this.id}-format`);
      try {
        await new WorkflowStore(redis, { prefix: this.redisPrefix, finishedTtlSeconds: 3600 }).ensureFormat(
          undefined,
          partitions,
        );
      } finally {
        await redis.quit();
      }
    }
    return this;
  }

  /** Environment for an app process living in this namespace. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      REDIS_URL: TEST_REDIS_URL,
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_PREFIX: this.redisPrefix,
      DATABASE_SCHEMA: this.schema,
      RUN_MIGRATIONS: 'false',
      LOG_LEVEL: 'warn',
      BOOTSTRAP_ADMIN_KEY: TEST_ADMIN_KEY,
      ...extra,
    };
  }

  async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({
      connectionString: TEST_DATABASE_URL,
      options: `-c search_path=${this.schema}`,
    });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /**
   * Options of a test's own BullMQ Queue, Worker or QueueEvents for `queue` in this namespace: the
   * apps' key prefix for it, on one connection to the test Redis that `dispose` closes.
   */
  queueOptions(queue: string, partition = 0): QueueBaseOptions & KeyPrefixOptions {
    this.queueConnection ??= createQueueConnection(TEST_REDIS_URL, `${this.id}-queues`);
    return {
      connection: this.queueConnection.connection,
      prefix: queueKeyPrefix(this.redisPrefix, queue, partition),
    };
  }

  /** Options of every partition of step queue `queue`, in partition order (see queueOptions). */
  stepQueueOptions(queue: string): (QueueBaseOptions & KeyPrefixOptions)[] {
    return Array.from({ length: this.stepQueuePartitions }, (_, partition) =>
      this.queueOptions(queue, partition),
    );
  }

  /**
   * The hash of BullMQ job `jobId` on `queue` in this namespace (to read its `processedOn`); a
   * step job's is in its step's partition.
   */
  jobKey(queue: string, jobId: string): string {
    const { workflowId, stepId } = stepOfStepJob(jobId);
    const partition = queue.startsWith(AGENT_STEPS_QUEUE_PREFIX)
      ? stepQueuePartitionOf(workflowId, stepId, this.stepQueuePartitions)
      : 0;
    return `${queueKeyPrefix(this.redisPrefix, queue, partition)}:${queue}:${jobId}`;
  }

  async dispose(): Promise<void> {
    await this.queueConnection?.close();
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`).finally(() => client.end());
    await removeRedisKeys(this.redisPrefix);
  }
}

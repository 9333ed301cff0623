// The format the deployment's data in Redis is written in, recorded there, checked at every
// start, and the moves of older formats' data into it.
import { RedisClient, isCluster, keysMatching } from '@app/redis';
import { moveFormat2Keys } from './format-2-migration';
import { STEP_QUEUE_PARTITIONS_FIELD } from './step-queue-partitions';
import { WORKFLOW_KEY_NAMES as K, WorkflowKeys } from './workflow-keys';

/**
 * The formats of the store's data in Redis:
 * 1. one Redis, keys `<prefix>:wf:<id>`, `<prefix>:workflows:<STATUS>`, one outbox stream and one
 *    events channel (up to November 2026); it recorded no format.
 * 2. sharded (WorkflowKeys): every key of a workflow under its shard's hash tag `{s<n>}`, an outbox
 *    per shard, events on shard channels.
 * 3. as 2, and what else the apps keep in Redis is under hash tags a Redis Cluster can serve: each
 *    BullMQ queue under its name (queueKeyPrefix), the agent directory under `{agents}`. The
 *    record may also hold how many partitions step queues are split into (StepQueuePartitions;
 *    none recorded is one, the unsplit queue).
 */
export const STORE_FORMAT_VERSION = 3;

/**
 * How long a migration may take (its lock's life), and a start waits for another process's: a
 * workflow takes a few round trips, so a million of them fit.
 */
const MIGRATION_WAIT_MS = 10 * 60_000;
/** A migration logs its progress every this many workflows. */
const PROGRESS_EVERY = 1000;
const SCAN_COUNT = 500;

/** Raises the recorded partition count to ARGV[1] if that is higher; returns the count recorded before. */
const RAISE_PARTITIONS = `
local recorded = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '1')
if tonumber(ARGV[1]) > recorded then redis.call('HSET', KEYS[1], ARGV[2], ARGV[1]) end
return recorded`;

/**
 * Checks at start that this deployment reads the data in Redis, records the format on a new Redis,
 * and moves format-1 data into format 2 in place. A newer format or another shard count stops the
 * start with what to do instead: nothing is read or written in a layout this code does not know.
 */
export class WorkflowStoreFormat {
  /**
   * `log` tells an operator what a migration does (the app passes its logger: this library is
   * also part of the agent SDK, which does not depend on Nest).
   */
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: WorkflowKeys,
    private readonly log: (message: string) => void,
    /** The deployment's STEP_QUEUE_PARTITIONS, recorded (raised) once the format is checked. */
    private readonly stepQueuePartitions?: number,
  ) {}

  async ensure(): Promise<void> {
    await this.ensureFormat();
    if (this.stepQueuePartitions !== undefined) await this.recordPartitions(this.stepQueuePartitions);
  }

  /**
   * Records a higher partition count, which every producer and worker reads within seconds; a
   * lower one stops the start: steps queued in the partitions above it would wait for ever.
   */
  private async recordPartitions(wanted: number): Promise<void> {
    const recorded = Number(
      await this.redis.eval(RAISE_PARTITIONS, 1, this.keys.format, wanted, STEP_QUEUE_PARTITIONS_FIELD),
    );
    if (recorded > wanted)
      throw new Error(
        `step queues in Redis (prefix ${this.keys.prefix}) are split into ${recorded} partitions; STEP_QUEUE_PARTITIONS is ${wanted}: set it to ${recorded} (a count is never lowered: steps queued in the partitions above ${wanted} would never run)`,
      );
    if (recorded < wanted)
      this.log(
        `step queues split into ${wanted} partitions (were ${recorded}); workers take the new ones within 10 s`,
      );
  }

  private async ensureFormat(): Promise<void> {
    const deadline = Date.now() + MIGRATION_WAIT_MS;
    for (;;) {
      if (this.check(await this.redis.hgetall(this.keys.format))) return;
      // One process migrates; the others wait for the record it writes when done.
      const lock = `${this.keys.format}:migrating`;
      if (await this.redis.set(lock, String(process.pid), 'PX', MIGRATION_WAIT_MS, 'NX')) {
        try {
          const recorded = await this.redis.hgetall(this.keys.format);
          if (this.check(recorded)) return;
          // No record: format 1, or a new Redis (whose moves find nothing). Formats before 3 ran
          // the apps on one Redis only: a cluster holds none of their data.
          const from = recorded.version === undefined ? 1 : Number(recorded.version);
          if (!isCluster(this.redis)) {
            if (from < 2) await this.migrateFormat1();
            if (from < 3) await moveFormat2Keys(this.redis, this.keys.prefix, this.log);
          }
          await this.redis.hset(
            this.keys.format,
            'version',
            STORE_FORMAT_VERSION,
            'shards',
            this.keys.shards,
          );
          return;
        } finally {
          await this.redis.del(lock);
        }
      }
      if (Date.now() > deadline)
        throw new Error(
          `the workflow store's data in Redis (prefix ${this.keys.prefix}) is being moved to format ${STORE_FORMAT_VERSION} by another process for over ${MIGRATION_WAIT_MS / 1000} s; if none runs, delete ${lock} and start again`,
        );
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /**
   * Whether the recorded format is this deployment's (false for none, or an older one to move);
   * throws for one it cannot read.
   */
  private check(record: Record<string, string>): boolean {
    if (record.version === undefined) return false;
    const version = Number(record.version);
    const where = `the workflow store's data in Redis (prefix ${this.keys.prefix})`;
    if (version > STORE_FORMAT_VERSION)
      throw new Error(
        `${where} is in format ${version}, written by a newer deployment; this one reads format ${STORE_FORMAT_VERSION}: deploy that version or a later one`,
      );
    if (Number(record.shards) !== this.keys.shards)
      throw new Error(
        `${where} is spread over ${record.shards} shards; this deployment has ${this.keys.shards} (WORKFLOW_SHARDS): deploy one built with ${record.shards}`,
      );
    return version === STORE_FORMAT_VERSION;
  }

  /**
   * Moves each format-1 workflow into its shard: its hash and events renamed (their TTL kept),
   * its graph and large outputs copied, its status index entry added; then the idempotency keys,
   * the outbox's entries, and the old indexes and copies deleted. Format 1 ran on one Redis only,
   * so every key is on this one. Steps waiting in the queues find their workflows under the new
   * keys. Run it with the previous deployment's workers stopped: one of them would write format 1.
   * A migration that stops midway (a crash) is taken up by the next start once its lock expires:
   * what it moved is no longer under the old names, and the old copies go only at the end.
   */
  private async migrateFormat1(): Promise<void> {
    const { prefix } = this.keys;
    const workflows = (await this.scan(`${prefix}:${K.workflow}:*`)).filter(
      (key) => !key.endsWith(':events'),
    );
    const idempotencyKeys = await this.scan(`${prefix}:${K.idempotency}:*`);
    const oldIndexes = await this.scan(`${prefix}:${K.statusIndex}*`);
    const hasChanges = (await this.redis.exists(`${prefix}:${K.changes}`)) === 1;
    if (workflows.length + idempotencyKeys.length + oldIndexes.length === 0 && !hasChanges) return;
    this.log(`moving ${workflows.length} workflows of format 1 to format 2`);
    const oldCopies = new Set<string>();
    for (const [index, oldKey] of workflows.entries()) {
      const workflowId = oldKey.slice(`${prefix}:${K.workflow}:`.length);
      await this.moveWorkflow(oldKey, workflowId, oldCopies);
      if ((index + 1) % PROGRESS_EVERY === 0)
        this.log(`moved ${index + 1} of ${workflows.length} workflows to format 2`);
    }
    for (const oldKey of idempotencyKeys) {
      const tenantAndKey = oldKey.slice(`${prefix}:${K.idempotency}:`.length);
      const shard = this.keys.shardOf(tenantAndKey);
      await this.redis.rename(oldKey, `${this.keys.shardBase(shard)}:${K.idempotency}:${tenantAndKey}`);
    }
    if (hasChanges) await this.moveChanges();
    const stale = [...oldIndexes, ...oldCopies];
    if (stale.length > 0) await this.redis.del(...stale);
    this.log(`moved ${workflows.length} workflows to format 2`);
  }

  private async moveWorkflow(oldKey: string, workflowId: string, oldCopies: Set<string>): Promise<void> {
    const { prefix } = this.keys;
    const shard = this.keys.shardOf(workflowId);
    const [graphId, status, createdAtMs] = await this.redis.hmget(oldKey, 'graphId', 'status', 'createdAtMs');
    if (graphId) {
      for (const suffix of ['', ':new']) {
        const from = `${prefix}:${K.graph}:${graphId}${suffix}`;
        await this.redis.copy(from, `${this.keys.graph(graphId, shard)}${suffix}`);
        oldCopies.add(from);
      }
    }
    // Large outputs the workflow refers to (a fan-out's list may hold several).
    const fields = await this.redis.hgetall(oldKey);
    for (const [field, value] of Object.entries(fields)) {
      if (!field.startsWith('out:')) continue;
      for (const [, sha256] of value.matchAll(/"\$ref":"sha256:([0-9a-f]{64})"/g)) {
        const from = `${prefix}:${K.output}:${sha256}`;
        await this.redis.copy(from, this.keys.output(sha256, shard));
        oldCopies.add(from);
      }
    }
    await this.redis.rename(oldKey, this.keys.workflow(workflowId));
    if (await this.redis.exists(`${oldKey}:events`))
      await this.redis.rename(`${oldKey}:events`, this.keys.events(workflowId));
    if (status && createdAtMs)
      await this.redis.zadd(this.keys.statusIndex(status, shard), createdAtMs, workflowId);
  }

  /** The old outbox's entries, not yet projected, into their workflows' shards' outboxes. */
  private async moveChanges(): Promise<void> {
    const oldStream = `${this.keys.prefix}:${K.changes}`;
    for (const [, fields] of await this.redis.xrange(oldStream, '-', '+')) {
      const workflowId = fields[fields.indexOf('workflowId') + 1];
      await this.redis.xadd(this.keys.changes(this.keys.shardOf(workflowId)), '*', ...fields);
    }
    await this.redis.del(oldStream);
  }

  private scan(match: string): Promise<string[]> {
    return keysMatching(this.redis, match, SCAN_COUNT);
  }
}

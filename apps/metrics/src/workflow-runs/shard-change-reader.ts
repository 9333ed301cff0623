// One shard's outbox of status changes (`WorkflowKeys.changes`), read with the consumer group of
// every metrics replica. WorkflowChangeConsumer runs one reader per shard.
import { Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '@app/persistence';
import { WorkflowChange, parseWorkflowChange } from '@app/workflow-store';
import { RedisClient } from '@app/redis';

/** The consumer group of every metrics replica: each change is projected by one of them. */
export const WORKFLOW_RUNS_GROUP = 'workflow-runs';

const BATCH = 500;
/** Short, so that a stopping service is never held by a blocked read for long. */
const BLOCK_MS = 1000;
/** Entries a consumer read but did not acknowledge for this long are taken over (it died). */
const CLAIM_IDLE_MS = 60_000;
const CLAIM_EVERY_MS = 30_000;
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30_000;

type StreamEntry = [string, string[] | null];

/** What a reader shares with the others: connections, its name in the group, the projection. */
export interface ShardChangeReaderParts {
  /** The shared command connection. */
  redis: RedisClient;
  /** The reader's own connection: blocking reads would hold up every other command. */
  reader: RedisClient;
  /** This replica's name in the group. */
  consumer: string;
  /** Projects a batch into PostgreSQL; throws to leave it pending. */
  project(changes: WorkflowChange[]): Promise<void>;
  /** Counts a batch PostgreSQL refused for being down. */
  countDatabaseFailure(): void;
}

/**
 * Reads one shard's outbox and has the projection project each batch, then acknowledges and
 * deletes the entries. Nothing is lost: an entry stays pending until its batch is in PostgreSQL, a
 * restarted consumer reads its own pending entries first, and entries of a consumer that died are
 * claimed by another after a minute. While PostgreSQL is down it retries with backoff.
 */
export class ShardChangeReader {
  private readonly logger = new Logger(ShardChangeReader.name);
  private loop: Promise<void> | null = null;
  private isStopping = false;
  private wakeUp: (() => void) | null = null;

  constructor(
    readonly stream: string,
    private readonly parts: ShardChangeReaderParts,
  ) {}

  /** Creates the group (and the stream) if missing, reading from the first entry. */
  async createGroup(): Promise<void> {
    try {
      await this.parts.redis.xgroup('CREATE', this.stream, WORKFLOW_RUNS_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String(error).includes('BUSYGROUP')) throw error;
    }
  }

  start(): void {
    this.loop = this.consume();
  }

  /** Stops reading after `waitMs` at most; a batch in flight may finish, or stays pending. */
  async stop(waitMs: number): Promise<void> {
    this.isStopping = true;
    this.wakeUp?.();
    if (this.loop)
      await Promise.race([this.loop, new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
  }

  /** The outbox's length and the time of its oldest entry (now when empty). */
  async backlog(): Promise<{ length: number; oldestMs: number }> {
    const [length, oldest] = await Promise.all([
      this.parts.redis.xlen(this.stream),
      this.parts.redis.xrange(this.stream, '-', '+', 'COUNT', 1),
    ]);
    return { length, oldestMs: oldest[0] ? Number(oldest[0][0].split('-')[0]) : Date.now() };
  }

  private async consume(): Promise<void> {
    // Own pending entries first: read (by an earlier run of this consumer, or claimed) but not acknowledged.
    let hasPending = true;
    let retryMs = FIRST_RETRY_MS;
    let claimAt = 0;
    while (!this.isStopping) {
      try {
        if (Date.now() >= claimAt) {
          claimAt = Date.now() + CLAIM_EVERY_MS;
          if (await this.claimAbandoned()) hasPending = true;
        }
        const entries = await this.read(hasPending ? '0' : '>');
        if (hasPending && entries.length === 0) hasPending = false;
        if (entries.length > 0) await this.handle(entries);
        retryMs = FIRST_RETRY_MS;
      } catch (error) {
        if (this.isStopping) break;
        if (isDatabaseUnavailable(error)) this.parts.countDatabaseFailure();
        this.logger.warn(this.failureMessage(error, retryMs));
        hasPending = true;
        await this.sleep(retryMs);
        retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
      }
    }
  }

  /** Pending entries whose stream entry was deleted come back without fields: only acknowledged. */
  private async handle(entries: StreamEntry[]): Promise<void> {
    const changes: WorkflowChange[] = entries.map(([entryId, fields]) =>
      parseWorkflowChange([entryId, fields ?? []]),
    );
    await this.parts.project(changes);
    const entryIds = changes.map((change) => change.entryId);
    await this.parts.redis
      .multi()
      .xack(this.stream, WORKFLOW_RUNS_GROUP, ...entryIds)
      .xdel(this.stream, ...entryIds)
      .exec();
  }

  /** `from`: '0' for this consumer's pending entries, '>' for new ones (waiting up to BLOCK_MS). */
  private async read(from: '0' | '>'): Promise<StreamEntry[]> {
    const { reader, consumer } = this.parts;
    const reply = (await (from === '>'
      ? reader.xreadgroup(
          'GROUP',
          WORKFLOW_RUNS_GROUP,
          consumer,
          'COUNT',
          BATCH,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          this.stream,
          from,
        )
      : reader.xreadgroup(
          'GROUP',
          WORKFLOW_RUNS_GROUP,
          consumer,
          'COUNT',
          BATCH,
          'STREAMS',
          this.stream,
          from,
        ))) as [string, StreamEntry[]][] | null;
    return reply?.[0]?.[1] ?? [];
  }

  /** Takes over entries other consumers left unacknowledged; whether it took any. */
  private async claimAbandoned(): Promise<boolean> {
    let claimed = false;
    let start = '0-0';
    do {
      const [next, entries] = (await this.parts.redis.xautoclaim(
        this.stream,
        WORKFLOW_RUNS_GROUP,
        this.parts.consumer,
        CLAIM_IDLE_MS,
        start,
        'COUNT',
        BATCH,
        'JUSTID',
      )) as [string, string[]];
      if (entries.length > 0) claimed = true;
      start = next;
    } while (start !== '0-0' && !this.isStopping);
    if (claimed)
      this.logger.log(`took over workflow changes in ${this.stream} a stopped consumer had left unprojected`);
    await this.forgetGoneConsumers();
    return claimed;
  }

  /**
   * Every start of a metrics replica joins the group under a new name: names that hold nothing
   * and have been idle past the claim time (their pending entries were just taken over) are
   * removed, so the group lists only live consumers.
   */
  private async forgetGoneConsumers(): Promise<void> {
    const { redis, consumer } = this.parts;
    const consumers = (await redis.xinfo('CONSUMERS', this.stream, WORKFLOW_RUNS_GROUP)) as unknown[][];
    for (const fields of consumers) {
      const info: Record<string, unknown> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) info[String(fields[i])] = fields[i + 1];
      if (info.name !== consumer && Number(info.pending) === 0 && Number(info.idle) > CLAIM_IDLE_MS) {
        await redis.xgroup('DELCONSUMER', this.stream, WORKFLOW_RUNS_GROUP, String(info.name));
      }
    }
  }

  private failureMessage(error: unknown, retryMs: number): string {
    const retry = `they stay pending in ${this.stream}; trying again in ${retryMs / 1000} s`;
    return isDatabaseUnavailable(error)
      ? `PostgreSQL cannot be reached, so workflow changes are not projected: ${retry} (${String(error)})`
      : `projecting workflow changes failed: ${retry} (${String(error)})`;
  }

  /** Waits, or less when the reader stops. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { ServiceConfig } from '@app/config';
import { isDatabaseUnavailable } from '@app/persistence';
import { REDIS_CLIENT, createRedisConnection } from '@app/redis';
import { WorkflowChange, WorkflowKeys, parseWorkflowChange } from '@app/workflow-store';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import Redis from 'ioredis';
import { Gauge } from 'prom-client';
import { DatabaseWriteFailures } from '../database-writes/database-write-failures.metrics';
import { WorkflowProjector } from './workflow-projector.service';
import { WorkflowStatusMetrics } from './workflow-status.metrics';

export const WORKFLOW_CHANGES_PENDING_METRIC = 'workflow_changes_pending';
export const WORKFLOW_CHANGES_OLDEST_AGE_METRIC = 'workflow_changes_oldest_age_seconds';

/** The consumer group of every metrics replica: each change is projected by one of them. */
export const WORKFLOW_RUNS_GROUP = 'workflow-runs';

const BATCH = 500;
/** Short, so that a stopping service is never held by a blocked read for long. */
const BLOCK_MS = 1000;
/** Entries a consumer read but did not acknowledge for this long are taken over (it died). */
const CLAIM_IDLE_MS = 60_000;
const CLAIM_EVERY_MS = 30_000;
const LAG_EVERY_MS = 5000;
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30_000;
/** How long shutdown waits for a batch in flight before closing the connection under it. */
const STOP_WAIT_MS = 3000;

type StreamEntry = [string, string[] | null];

/**
 * Reads the store's outbox of status changes (`WorkflowKeys.changes`) with a consumer group
 * and has {@link WorkflowProjector} project each batch, then acknowledges and deletes the
 * entries. Nothing is lost: an entry stays pending until its batch is in PostgreSQL, a restarted
 * consumer reads its own pending entries first, and entries of a consumer that died are claimed
 * by another after a minute. While PostgreSQL is down it retries with backoff.
 */
@Injectable()
export class WorkflowChangeConsumer implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WorkflowChangeConsumer.name);
  private readonly stream: string;
  private readonly consumer = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  /** Blocking reads get a connection of their own: they would hold up every other command. */
  private reader: Redis | null = null;
  private loop: Promise<void> | null = null;
  private isStopping = false;
  private wakeUp: (() => void) | null = null;

  constructor(
    private readonly projector: WorkflowProjector,
    private readonly statusMetrics: WorkflowStatusMetrics,
    private readonly writeFailures: DatabaseWriteFailures,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: ServiceConfig,
    @InjectMetric(WORKFLOW_CHANGES_PENDING_METRIC) private readonly pendingGauge: Gauge<string>,
    @InjectMetric(WORKFLOW_CHANGES_OLDEST_AGE_METRIC) private readonly oldestAgeGauge: Gauge<string>,
  ) {
    this.stream = new WorkflowKeys(config.REDIS_PREFIX).changes;
  }

  /** Creates the group (and the stream) if missing, reading from the first entry. */
  async onModuleInit(): Promise<void> {
    this.reader = createRedisConnection(
      this.config.REDIS_URL,
      `${this.config.REDIS_PREFIX}-workflow-changes`,
    );
    try {
      await this.redis.xgroup('CREATE', this.stream, WORKFLOW_RUNS_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String(error).includes('BUSYGROUP')) throw error;
    }
  }

  onApplicationBootstrap(): void {
    this.loop = this.consume();
  }

  /** Stops reading; a batch in flight may finish, or stays pending for the next consumer. */
  async onModuleDestroy(): Promise<void> {
    this.isStopping = true;
    this.wakeUp?.();
    if (this.loop)
      await Promise.race([this.loop, new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
    this.reader?.disconnect();
  }

  private async consume(): Promise<void> {
    // Own pending entries first: read (by an earlier run of this consumer, or claimed) but not acknowledged.
    let hasPending = true;
    let retryMs = FIRST_RETRY_MS;
    let claimAt = 0;
    let lagAt = 0;
    while (!this.isStopping) {
      try {
        if (Date.now() >= lagAt) {
          lagAt = Date.now() + LAG_EVERY_MS;
          await this.measureLag();
        }
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
        if (isDatabaseUnavailable(error)) this.writeFailures.count('workflow_runs');
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
    const workflowIds = changes.map((change) => change.workflowId).filter((workflowId) => workflowId !== '');
    if (workflowIds.length > 0) await this.projector.project(workflowIds);
    // After the projection, so that a batch retried after a PostgreSQL error is counted once.
    this.statusMetrics.projected(changes);
    const entryIds = changes.map((change) => change.entryId);
    await this.redis
      .multi()
      .xack(this.stream, WORKFLOW_RUNS_GROUP, ...entryIds)
      .xdel(this.stream, ...entryIds)
      .exec();
  }

  /** `from`: '0' for this consumer's pending entries, '>' for new ones (waiting up to BLOCK_MS). */
  private async read(from: '0' | '>'): Promise<StreamEntry[]> {
    const reader = this.reader as Redis;
    const reply = (await (from === '>'
      ? reader.xreadgroup(
          'GROUP',
          WORKFLOW_RUNS_GROUP,
          this.consumer,
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
          this.consumer,
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
      const [next, entries] = (await this.redis.xautoclaim(
        this.stream,
        WORKFLOW_RUNS_GROUP,
        this.consumer,
        CLAIM_IDLE_MS,
        start,
        'COUNT',
        BATCH,
        'JUSTID',
      )) as [string, string[]];
      if (entries.length > 0) claimed = true;
      start = next;
    } while (start !== '0-0' && !this.isStopping);
    if (claimed) this.logger.log(`took over workflow changes a stopped consumer had left unprojected`);
    await this.forgetGoneConsumers();
    return claimed;
  }

  /**
   * Every start of a metrics replica joins the group under a new name: names that hold nothing
   * and have been idle past the claim time (their pending entries were just taken over) are
   * removed, so the group lists only live consumers.
   */
  private async forgetGoneConsumers(): Promise<void> {
    const consumers = (await this.redis.xinfo('CONSUMERS', this.stream, WORKFLOW_RUNS_GROUP)) as unknown[][];
    for (const fields of consumers) {
      const info: Record<string, unknown> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) info[String(fields[i])] = fields[i + 1];
      if (info.name !== this.consumer && Number(info.pending) === 0 && Number(info.idle) > CLAIM_IDLE_MS) {
        await this.redis.xgroup('DELCONSUMER', this.stream, WORKFLOW_RUNS_GROUP, String(info.name));
      }
    }
  }

  /** The outbox's length and the age of its oldest entry: how far the projection is behind. */
  private async measureLag(): Promise<void> {
    const [length, oldest] = await Promise.all([
      this.redis.xlen(this.stream),
      this.redis.xrange(this.stream, '-', '+', 'COUNT', 1),
    ]);
    this.pendingGauge.set(length);
    const oldestMs = oldest[0] ? Number(oldest[0][0].split('-')[0]) : Date.now();
    this.oldestAgeGauge.set(Math.max(0, Date.now() - oldestMs) / 1000);
  }

  private failureMessage(error: unknown, retryMs: number): string {
    const retry = `they stay pending in ${this.stream}; trying again in ${retryMs / 1000} s`;
    return isDatabaseUnavailable(error)
      ? `PostgreSQL cannot be reached, so workflow changes are not projected: ${retry} (${String(error)})`
      : `projecting workflow changes failed: ${retry} (${String(error)})`;
  }

  /** Waits, or less when the service stops. */
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

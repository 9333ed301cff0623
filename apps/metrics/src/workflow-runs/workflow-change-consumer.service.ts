import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ServiceConfig } from '@app/config';
import { REDIS_CLIENT, createRedisConnection, RedisClient } from '@app/redis';
import { WorkflowChange, WorkflowKeys } from '@app/workflow-store';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Gauge } from 'prom-client';
import { DatabaseWriteFailures } from '../database-writes/database-write-failures.metrics';
import { ShardChangeReader } from './shard-change-reader';
import { WorkflowProjector } from './workflow-projector.service';
import { WorkflowStatusMetrics } from './workflow-status.metrics';

export { WORKFLOW_RUNS_GROUP } from './shard-change-reader';

export const WORKFLOW_CHANGES_PENDING_METRIC = 'workflow_changes_pending';
export const WORKFLOW_CHANGES_OLDEST_AGE_METRIC = 'workflow_changes_oldest_age_seconds';

const LAG_EVERY_MS = 5000;
/** How long shutdown waits for a batch in flight before closing the connections under it. */
const STOP_WAIT_MS = 3000;

/**
 * Projects the store's status changes into PostgreSQL: one {@link ShardChangeReader} per shard's
 * outbox, each with a blocking connection of its own (a Redis Cluster serves each shard's stream
 * from its slot's primary, and one read cannot span slots), all under this replica's one name
 * in the group. The outboxes' backlog, summed, is a metric.
 */
@Injectable()
export class WorkflowChangeConsumer implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumer = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly keys: WorkflowKeys;
  private readers: ShardChangeReader[] = [];
  private readonly connections: RedisClient[] = [];
  private lagTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly projector: WorkflowProjector,
    private readonly statusMetrics: WorkflowStatusMetrics,
    private readonly writeFailures: DatabaseWriteFailures,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly config: ServiceConfig,
    @InjectMetric(WORKFLOW_CHANGES_PENDING_METRIC) private readonly pendingGauge: Gauge<string>,
    @InjectMetric(WORKFLOW_CHANGES_OLDEST_AGE_METRIC) private readonly oldestAgeGauge: Gauge<string>,
  ) {
    this.keys = new WorkflowKeys(config.REDIS_PREFIX);
  }

  /** Creates each shard's group (and stream) if missing, reading from the first entry. */
  async onModuleInit(): Promise<void> {
    this.readers = this.keys.allShards().map((shard) => {
      const reader = createRedisConnection(
        this.config.REDIS_URL,
        `${this.config.REDIS_PREFIX}-workflow-changes-${shard}`,
      );
      this.connections.push(reader);
      return new ShardChangeReader(this.keys.changes(shard), {
        redis: this.redis,
        reader,
        consumer: this.consumer,
        project: (changes) => this.project(changes),
        countDatabaseFailure: () => this.writeFailures.count('workflow_runs'),
      });
    });
    await Promise.all(this.readers.map((reader) => reader.createGroup()));
  }

  onApplicationBootstrap(): void {
    for (const reader of this.readers) reader.start();
    void this.measureLag();
    this.lagTimer = setInterval(() => void this.measureLag(), LAG_EVERY_MS);
    this.lagTimer.unref();
  }

  /** Stops reading; a batch in flight may finish, or stays pending for the next consumer. */
  async onModuleDestroy(): Promise<void> {
    if (this.lagTimer) clearInterval(this.lagTimer);
    await Promise.all(this.readers.map((reader) => reader.stop(STOP_WAIT_MS)));
    for (const connection of this.connections) connection.disconnect();
  }

  private async project(changes: WorkflowChange[]): Promise<void> {
    const workflowIds = changes.map((change) => change.workflowId).filter((workflowId) => workflowId !== '');
    if (workflowIds.length > 0) await this.projector.project(workflowIds);
    // After the projection, so that a batch retried after a PostgreSQL error is counted once.
    this.statusMetrics.projected(changes);
  }

  /** The outboxes' length and the age of their oldest entry: how far the projection is behind. */
  private async measureLag(): Promise<void> {
    try {
      const backlogs = await Promise.all(this.readers.map((reader) => reader.backlog()));
      this.pendingGauge.set(backlogs.reduce((sum, { length }) => sum + length, 0));
      const oldestMs = Math.min(Date.now(), ...backlogs.map(({ oldestMs }) => oldestMs));
      this.oldestAgeGauge.set(Math.max(0, Date.now() - oldestMs) / 1000);
    } catch {
      // Redis is down: the readers log it; the gauges keep their last values.
    }
  }
}

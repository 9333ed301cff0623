import { Transform } from 'class-transformer';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { STEP_QUEUE_PARTITION_COUNTS } from '@app/contracts';
import { IsIntegerBetween, IsRedisUrl, toInteger } from './config-validators';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * What every service reads: its Redis, key prefix, port and log level, and how long a finished
 * workflow stays in Redis (the workflow store of every service sets it). Each app's configuration
 * extends this; the libraries ask for this class (or {@link PostgresServiceConfig}), and get the app's.
 */
export class ServiceConfig {
  /**
   * One Redis (`redis://`, `rediss://`), a Redis Cluster (`redis+cluster://host:port,...`) or a
   * primary behind Sentinel (`redis+sentinel://host:port,.../<primary name>`).
   */
  @IsRedisUrl()
  REDIS_URL!: string;

  /** Namespaces every Redis key, queue and channel, so several deployments or test runs share a server. */
  @Matches(/^[a-zA-Z0-9_-]{1,40}$/, { message: 'must be 1-40 letters, digits, _ or -' })
  REDIS_PREFIX = 'ao';

  /** Each app sets its own default. */
  @IsIntegerBetween(0, 65535)
  PORT!: number;

  /**
   * A port of its own for `GET /metrics`, which then leaves PORT: a Service and an Ingress that
   * expose PORT never expose the metrics. Unset: `/metrics` is served on PORT.
   */
  @IsOptional()
  @IsIntegerBetween(1, 65535)
  METRICS_PORT?: number;

  @IsIn([...LOG_LEVELS], { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /**
   * How many partitions each agent's step queue is split into: on a Redis Cluster, one agent's
   * steps then spread over that many slots (and primaries). One of STEP_QUEUE_PARTITION_COUNTS
   * (1, 2, 4, 8, 16). Recorded in Redis at start, where every worker reads it; it can be raised on
   * a running deployment, never lowered.
   */
  @Transform(toInteger)
  @IsIn([...STEP_QUEUE_PARTITION_COUNTS], {
    message: `must be one of ${STEP_QUEUE_PARTITION_COUNTS.join(', ')}`,
  })
  STEP_QUEUE_PARTITIONS = 1;

  /** Hours a finished workflow's state stays in Redis; PostgreSQL keeps it after that. */
  @IsIntegerBetween(1, 8760)
  WORKFLOW_STATE_TTL_HOURS = 24;

  /**
   * How far past what its last full collection kept the heap may grow before the next one, in
   * percent (V8's `--heap-growing-percent`, for the process and its worker threads); 0 leaves
   * V8's own factor. See limitHeapGrowth.
   */
  @IsIntegerBetween(0, 300)
  HEAP_GROWTH_PERCENT = 50;
}

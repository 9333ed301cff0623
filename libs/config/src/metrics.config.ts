import { Transform } from 'class-transformer';
import { IsIn } from 'class-validator';
import { IsIntegerBetween, toBoolean } from './config-validators';
import { PostgresServiceConfig } from './postgres-service.config';

/** The metrics service: logs and agent executions into PostgreSQL, Prometheus, retention. */
export class MetricsConfig extends PostgresServiceConfig {
  override PORT = 3002;

  /** Apply pending migrations before listening (for development; deployments run `migrate` once). */
  @Transform(toBoolean)
  @IsIn([true, false], { message: 'must be true or false' })
  RUN_MIGRATIONS = true;

  /** Days log entries are kept in PostgreSQL. */
  @IsIntegerBetween(1, 3650)
  LOG_RETENTION_DAYS = 90;

  /** Days of quiet after which a session's memory without a TTL (an old or hand-made key) is removed from Redis. */
  @IsIntegerBetween(1, 3650)
  SESSION_CLEANUP_DAYS = 90;
}

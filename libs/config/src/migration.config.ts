import { Matches } from 'class-validator';
import { IsUrlOf } from './config-validators';

/**
 * What applying the migrations needs, and nothing else (no Redis, no port): the metrics service's
 * `migrate` command, which `npm run migration:run` and the Kubernetes Job run. The same two
 * variables and rules as {@link PostgresServiceConfig}.
 */
export class MigrationConfig {
  @IsUrlOf(['postgres:', 'postgresql:'], { message: 'must be a postgres:// URL' })
  DATABASE_URL!: string;

  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a lower-case SQL identifier' })
  DATABASE_SCHEMA = 'public';
}

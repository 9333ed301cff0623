import { Matches } from 'class-validator';
import { IsUrlOf } from './config-validators';
import { ServiceConfig } from './service.config';

/** A service that also uses PostgreSQL (the gateway and the metrics service; not the orchestrator). */
export class PostgresServiceConfig extends ServiceConfig {
  @IsUrlOf(['postgres:', 'postgresql:'], { message: 'must be a postgres:// URL' })
  DATABASE_URL!: string;

  /** PostgreSQL schema holding the tables; tests use one of their own. */
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a lower-case SQL identifier' })
  DATABASE_SCHEMA = 'public';
}

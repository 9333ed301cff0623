import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MinLength } from 'class-validator';
import { IsIntegerBetween, toBoolean } from './config-validators';
import { PostgresServiceConfig } from './postgres-service.config';

/** The gateway: REST and Socket.IO for clients, published sites, API keys. */
export class GatewayConfig extends PostgresServiceConfig {
  override PORT = 3000;

  /** Where published sites are kept: the orchestrator writes them, the gateway serves them. */
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  SITES_DIR = '.data/sites';

  /** An admin key accepted before any key exists in the database (or use the keys CLI). */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  BOOTSTRAP_ADMIN_KEY?: string;

  /** Largest request body (and Socket.IO message) the gateway accepts, in bytes. */
  @IsIntegerBetween(1024, 100 * 1024 * 1024)
  REQUEST_BODY_LIMIT_BYTES = 1024 * 1024;

  /** Requests one API key (or one address, on public routes) may make per minute, across replicas. */
  @IsIntegerBetween(1, 1_000_000)
  RATE_LIMIT_PER_MINUTE = 600;

  /**
   * Browser origins allowed to call the gateway (REST and Socket.IO): a comma-separated list of
   * origins, or `*` for any. Unset: no cross-origin access.
   */
  @IsOptional()
  @Matches(/^(\*|https?:\/\/[^\s,]+(\s*,\s*https?:\/\/[^\s,]+)*)$/, {
    message: 'must be * or a comma-separated list of http(s) origins',
  })
  CORS_ORIGINS?: string;

  /**
   * Lets HTTP agents be registered on private, loopback, link-local and unique-local addresses
   * (agents inside the deployment's own network). Off: public addresses only.
   */
  @Transform(toBoolean)
  @IsIn([true, false], { message: 'must be true or false' })
  HTTP_AGENTS_ALLOW_PRIVATE_NETWORKS = false;
}

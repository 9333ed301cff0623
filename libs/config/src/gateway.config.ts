import { parseBudgetDefaults } from '@app/flow-control';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MinLength } from 'class-validator';
import { IsIntegerBetween, IsReadBy, toBoolean } from './config-validators';
import { PostgresServiceConfig } from './postgres-service.config';
import { DEFAULT_MAX_FAN_OUT_ITEMS, FAN_OUT_ITEMS_CEILING, MAX_REVISION_ITERATIONS } from '@app/contracts';

/** The gateway: REST and Socket.IO for clients, published sites, API keys. */
export class GatewayConfig extends PostgresServiceConfig {
  override PORT = 3000;

  /** Where published sites are kept: the orchestrator writes them, the gateway serves them. */
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  SITES_DIR = '.data/sites';

  /** The dashboard's static build (`npm run build:dashboard`), served at /dashboard. */
  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  DASHBOARD_DIR = 'dist/apps/dashboard';

  /** An admin key accepted before any key exists in the database (or use the keys CLI). */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  BOOTSTRAP_ADMIN_KEY?: string;

  /** Largest request body (and Socket.IO message) the gateway accepts, in bytes. */
  @IsIntegerBetween(1024, 100 * 1024 * 1024)
  REQUEST_BODY_LIMIT_BYTES = 1024 * 1024;

  /**
   * The most work items one fan-out step (`forEach`) may run sub-steps for; a definition may set a
   * lower maximum per step. Above it the step fails with a validation error before any sub-step runs.
   * At most the workflow store's FAN_OUT_ITEMS_CEILING (a Lua limit).
   */
  @IsIntegerBetween(1, FAN_OUT_ITEMS_CEILING)
  FAN_OUT_MAX_ITEMS = DEFAULT_MAX_FAN_OUT_ITEMS;

  /**
   * How many times an audit below its threshold sends the site back to the builder with its
   * findings (CREATE_SITE and UPDATE_SITE's quality loop) before the workflow fails; 0 fails it at
   * the first. Workflows keep the bound they started with.
   */
  @IsIntegerBetween(0, MAX_REVISION_ITERATIONS - 1)
  AUDIT_REVISIONS = 2;

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

  /**
   * Default budgets where an admin set none, per tenant and per agent and UTC day, as JSON:
   * `{"tenantDaily": {"tokens": 1000000, "costUsd": 20}, "agentDaily": {"costUsd": 50}}`. A step
   * whose budget is spent waits. Give the gateway and every orchestrator the same value.
   */
  @IsOptional()
  @IsReadBy(parseBudgetDefaults)
  BUDGETS?: string;
}

import { availableParallelism } from 'node:os';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

/**
 * Every setting the services read, from the environment, validated at start-up. A wrong value
 * stops the service with a message naming the variable; nothing else reads `process.env`.
 */
export class EnvironmentConfig {
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL!: string;

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  /** Namespaces every Redis key, queue and channel, so several deployments or test runs share a server. */
  @Matches(/^[a-zA-Z0-9_-]{1,40}$/, { message: 'REDIS_PREFIX must be 1-40 letters, digits, _ or -' })
  REDIS_PREFIX = 'ao';

  /** PostgreSQL schema holding the tables; tests use one of their own. */
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DATABASE_SCHEMA must be a lower-case SQL identifier' })
  DATABASE_SCHEMA = 'public';

  @Transform(toInt)
  @Min(0)
  @Max(65535)
  @IsInt({ message: 'PORT must be an integer' })
  PORT!: number;

  @Transform(toInt)
  @Min(0)
  @Max(20)
  @IsInt({ message: 'MAX_RETRIES must be an integer' })
  MAX_RETRIES = 3;

  @Transform(toInt)
  @Min(1)
  @Max(86400)
  @IsInt({ message: 'AGENT_TIMEOUT_SECONDS must be an integer' })
  AGENT_TIMEOUT_SECONDS = 300;

  @Transform(toInt)
  @Min(1)
  @Max(8760)
  @IsInt({ message: 'SESSION_TTL_HOURS must be an integer' })
  SESSION_TTL_HOURS = 24;

  @Transform(toInt)
  @Min(1)
  @Max(3650)
  @IsInt({ message: 'SESSION_CLEANUP_DAYS must be an integer' })
  SESSION_CLEANUP_DAYS = 90;

  @Transform(toInt)
  @Min(1)
  @Max(3650)
  @IsInt({ message: 'LOG_RETENTION_DAYS must be an integer' })
  LOG_RETENTION_DAYS = 90;

  /** Hours a finished workflow's state stays in Redis; PostgreSQL keeps it after that. */
  @Transform(toInt)
  @Min(1)
  @Max(8760)
  @IsInt({ message: 'WORKFLOW_STATE_TTL_HOURS must be an integer' })
  WORKFLOW_STATE_TTL_HOURS = 24;

  /** Steps one orchestrator process runs at once. */
  @Transform(toInt)
  @Min(1)
  @Max(1000)
  @IsInt({ message: 'STEP_CONCURRENCY must be an integer' })
  STEP_CONCURRENCY = 20;

  /** Milliseconds before BullMQ deems a step of a dead worker stalled and hands it to another. */
  @Transform(toInt)
  @Min(1000)
  @Max(600000)
  @IsInt({ message: 'STEP_LOCK_MS must be an integer' })
  STEP_LOCK_MS = 30000;

  /**
   * Worker threads of the orchestrator's CPU pool, where agents' CPU-bound work runs (the audit's
   * jsdom and axe, rendering). 0 runs that work on the event loop. Defaults to the CPUs this
   * process may use; in a container set it to the CPU limit (Node sees the host's CPUs).
   */
  @Transform(toInt)
  @Min(0)
  @Max(64)
  @IsInt({ message: 'CPU_POOL_THREADS must be an integer' })
  CPU_POOL_THREADS = availableParallelism();

  /** Largest old-generation heap of one pool thread, in MB; a thread that needs more is replaced. */
  @Transform(toInt)
  @Min(32)
  @Max(16384)
  @IsInt({ message: 'CPU_POOL_MAX_HEAP_MB must be an integer' })
  CPU_POOL_MAX_HEAP_MB = 256;

  /** A pool thread whose heap is above this many MB after a task is replaced by a fresh one. */
  @Transform(toInt)
  @Min(16)
  @Max(16384)
  @IsInt({ message: 'CPU_POOL_RECYCLE_HEAP_MB must be an integer' })
  CPU_POOL_RECYCLE_HEAP_MB = 160;

  /** Event-loop delay (p99 over 5 s, in ms) above which the orchestrator's health reports it starved. */
  @Transform(toInt)
  @Min(10)
  @Max(60000)
  @IsInt({ message: 'EVENT_LOOP_LAG_LIMIT_MS must be an integer' })
  EVENT_LOOP_LAG_LIMIT_MS = 500;

  /**
   * How often the orchestrator looks for unfinished workflows whose ready steps were never queued,
   * and how long such a workflow must have been still before it is healed.
   */
  @Transform(toInt)
  @Min(1)
  @Max(86400)
  @IsInt({ message: 'RECOVERY_INTERVAL_SECONDS must be an integer' })
  RECOVERY_INTERVAL_SECONDS = 60;

  @IsString()
  @MinLength(1)
  SITES_DIR = '.data/sites';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL = 'info';

  @Transform(toBoolean)
  @IsIn([true, false], { message: 'RUN_MIGRATIONS must be true or false' })
  RUN_MIGRATIONS = true;

  /**
   * Extra agents for the orchestrator: comma-separated module paths, each exporting
   * `createAgents(): Agent[]` (user agents, or test agents in end-to-end tests).
   */
  @IsOptional()
  @IsString()
  AGENT_MODULES?: string;

  /** An OpenAI-compatible endpoint for the planner and content agents; the offline rules when unset. */
  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'LLM_BASE_URL must be an http(s) URL' })
  LLM_BASE_URL?: string;

  @IsOptional()
  @IsString()
  LLM_MODEL?: string;

  @IsOptional()
  @IsString()
  LLM_API_KEY?: string;

  /** Lowest audit score a site may be published with. */
  @Transform(toInt)
  @Min(0)
  @Max(100)
  @IsInt({ message: 'AUDIT_THRESHOLD must be an integer' })
  AUDIT_THRESHOLD = 70;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'BOOTSTRAP_ADMIN_KEY must be at least 16 characters' })
  BOOTSTRAP_ADMIN_KEY?: string;

  /** Largest request body (and Socket.IO message) the gateway accepts, in bytes. */
  @Transform(toInt)
  @Min(1024)
  @Max(100 * 1024 * 1024)
  @IsInt({ message: 'REQUEST_BODY_LIMIT_BYTES must be an integer' })
  REQUEST_BODY_LIMIT_BYTES = 1024 * 1024;

  /** Requests one API key (or one address, on public routes) may make per minute, across replicas. */
  @Transform(toInt)
  @Min(1)
  @Max(1_000_000)
  @IsInt({ message: 'RATE_LIMIT_PER_MINUTE must be an integer' })
  RATE_LIMIT_PER_MINUTE = 600;

  /**
   * Browser origins allowed to call the gateway (REST and Socket.IO): a comma-separated list of
   * origins, or `*` for any. Unset: no cross-origin access.
   */
  @IsOptional()
  @Matches(/^(\*|https?:\/\/[^\s,]+(\s*,\s*https?:\/\/[^\s,]+)*)$/, {
    message: 'CORS_ORIGINS must be * or a comma-separated list of http(s) origins',
  })
  CORS_ORIGINS?: string;
}

/** Thrown when the environment is wrong; its message lists every bad variable. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** Validates `env` with the app's default port filled in; throws {@link ConfigurationError}. */
export function loadEnvironmentConfig(env: NodeJS.ProcessEnv, defaults: { PORT: number }): EnvironmentConfig {
  const raw = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const config = plainToInstance(EnvironmentConfig, { PORT: defaults.PORT, ...raw });
  const errors = validateSync(config, { stopAtFirstError: true });
  if (errors.length > 0) {
    const lines = errors.map((error) => {
      const given = (raw as Record<string, unknown>)[error.property];
      const why = Object.values(error.constraints ?? {}).join('; ');
      return `  ${error.property}${given === undefined ? ' (not set)' : ` (got "${String(given)}")`}: ${why}`;
    });
    throw new ConfigurationError(`Invalid environment:\n${lines.join('\n')}`);
  }
  return config;
}

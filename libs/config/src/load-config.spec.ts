import { availableParallelism } from 'node:os';
import { ConfigurationError } from './configuration-error';
import { GatewayConfig } from './gateway.config';
import { configVariables, loadConfig } from './load-config';
import { MetricsConfig } from './metrics.config';
import { MigrationConfig } from './migration.config';
import { OrchestratorConfig } from './orchestrator.config';
import { PostgresServiceConfig } from './postgres-service.config';
import { ServiceConfig } from './service.config';

const REDIS = { REDIS_URL: 'redis://127.0.0.1:6379' };
const POSTGRES = { ...REDIS, DATABASE_URL: 'postgres://root@127.0.0.1/test' };

/** The message `load` throws, or null when it does not. */
function failure(load: () => unknown): string | null {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message;
    throw error;
  }
  return null;
}

describe('loadConfig', () => {
  it('fills each app its own defaults, port first', () => {
    expect(loadConfig(GatewayConfig, POSTGRES)).toMatchObject({
      PORT: 3000,
      REDIS_PREFIX: 'ao',
      DATABASE_SCHEMA: 'public',
      REQUEST_BODY_LIMIT_BYTES: 1048576,
      RATE_LIMIT_PER_MINUTE: 600,
    });
    expect(loadConfig(OrchestratorConfig, REDIS)).toMatchObject({
      PORT: 3001,
      MAX_RETRIES: 3,
      AGENT_TIMEOUT_SECONDS: 300,
      SESSION_TTL_HOURS: 24,
      CPU_POOL_THREADS: availableParallelism(),
    });
    expect(loadConfig(MetricsConfig, POSTGRES)).toMatchObject({
      PORT: 3002,
      RUN_MIGRATIONS: true,
      SESSION_CLEANUP_DAYS: 90,
      LOG_RETENTION_DAYS: 90,
    });
  });

  it('reads numbers and booleans from strings, and takes an empty variable as unset', () => {
    const config = loadConfig(MetricsConfig, {
      ...POSTGRES,
      PORT: '4000',
      RUN_MIGRATIONS: 'false',
      LOG_LEVEL: '',
    });
    expect(config).toMatchObject({ PORT: 4000, RUN_MIGRATIONS: false, LOG_LEVEL: 'info' });
  });

  it('keeps only the variables of its schema', () => {
    const config = loadConfig(OrchestratorConfig, { ...REDIS, PATH: '/bin', BOOTSTRAP_ADMIN_KEY: 'short' });
    expect(config).not.toHaveProperty('PATH');
    expect(config).not.toHaveProperty('BOOTSTRAP_ADMIN_KEY');
  });

  it('asks each app only for what it uses', () => {
    expect(failure(() => loadConfig(OrchestratorConfig, REDIS))).toBeNull();
    expect(
      failure(() => loadConfig(MetricsConfig, { ...POSTGRES, BOOTSTRAP_ADMIN_KEY: 'short' })),
    ).toBeNull();
    expect(failure(() => loadConfig(MigrationConfig, { DATABASE_URL: POSTGRES.DATABASE_URL }))).toBeNull();
    expect(failure(() => loadConfig(GatewayConfig, REDIS))).toBe(
      'Invalid environment: DATABASE_URL (not set) must be a postgres:// URL',
    );
  });

  it.each([
    [
      OrchestratorConfig,
      { MAX_RETRIES: 'three' },
      'MAX_RETRIES (got "three") must be an integer from 0 to 20',
    ],
    [GatewayConfig, { PORT: '70000' }, 'PORT (got "70000") must be an integer from 0 to 65535'],
    [
      GatewayConfig,
      { REDIS_URL: 'localhost:6379' },
      'REDIS_URL (got "localhost:6379") must be a redis://, rediss://, redis+cluster:// or redis+sentinel:// URL',
    ],
    [
      OrchestratorConfig,
      { AGENT_TIMEOUT_SECONDS: '0' },
      'AGENT_TIMEOUT_SECONDS (got "0") must be an integer from 1 to 86400',
    ],
    [MetricsConfig, { RUN_MIGRATIONS: 'yes' }, 'RUN_MIGRATIONS (got "yes") must be true or false'],
    [
      GatewayConfig,
      { CORS_ORIGINS: 'example.com' },
      'must be * or a comma-separated list of http(s) origins',
    ],
    [GatewayConfig, { REQUEST_BODY_LIMIT_BYTES: '10' }, 'REQUEST_BODY_LIMIT_BYTES (got "10")'],
    [GatewayConfig, { RATE_LIMIT_PER_MINUTE: '0' }, 'RATE_LIMIT_PER_MINUTE (got "0")'],
    [
      MetricsConfig,
      { DATABASE_SCHEMA: 'Public' },
      'DATABASE_SCHEMA (got "Public") must be a lower-case SQL identifier',
    ],
    [
      OrchestratorConfig,
      { LOG_LEVEL: 'loud' },
      'LOG_LEVEL (got "loud") must be one of fatal, error, warn, info',
    ],
  ])('names the variable, what it got and what it expected (%p, %p)', (schema, override, message) => {
    expect(failure(() => loadConfig<object>(schema, { ...POSTGRES, ...override }))).toContain(message);
  });

  it('gives one line per bad variable, each on its own', () => {
    const message = failure(() => loadConfig(OrchestratorConfig, { MAX_RETRIES: 'three' }));
    expect(message?.split('\n').sort()).toEqual([
      'Invalid environment: MAX_RETRIES (got "three") must be an integer from 0 to 20',
      'Invalid environment: REDIS_URL (not set) must be a redis://, rediss://, redis+cluster:// or redis+sentinel:// URL',
    ]);
  });

  describe('secrets', () => {
    it('describes a malformed DATABASE_URL by its length, never by its value', () => {
      const value = 'postgres:/app:hunter2@db';
      const message = failure(() => loadConfig(GatewayConfig, { ...REDIS, DATABASE_URL: value }));
      expect(message).toBe(
        `Invalid environment: DATABASE_URL (got a value of ${value.length} characters that is not a URL) must be a postgres:// URL`,
      );
    });

    it('shows a URL of the wrong kind with its password as ***', () => {
      const message = failure(() =>
        loadConfig(MetricsConfig, { ...REDIS, DATABASE_URL: 'mysql://app:hunter2@db/app' }),
      );
      expect(message).toContain('DATABASE_URL (got "mysql://app:***@db/app")');
      expect(message).not.toContain('hunter2');
    });

    it('never shows a short BOOTSTRAP_ADMIN_KEY', () => {
      const message = failure(() =>
        loadConfig(GatewayConfig, { ...POSTGRES, BOOTSTRAP_ADMIN_KEY: 'hunter2-admin' }),
      );
      expect(message).toBe(
        'Invalid environment: BOOTSTRAP_ADMIN_KEY (got a value of 13 characters) must be at least 16 characters',
      );
    });
  });

  describe('rules across variables', () => {
    it('wants LLM_MODEL with LLM_BASE_URL, in one line', () => {
      expect(
        failure(() => loadConfig(OrchestratorConfig, { ...REDIS, LLM_BASE_URL: 'http://llm:8080/v1' })),
      ).toBe('Invalid environment: LLM_MODEL (not set) must be set when LLM_BASE_URL is (the model to call)');
      expect(
        failure(() =>
          loadConfig(OrchestratorConfig, { ...REDIS, LLM_BASE_URL: 'http://llm:8080/v1', LLM_MODEL: 'qwen' }),
        ),
      ).toBeNull();
    });

    it('wants LLM_BASE_URL with LLM_MODEL or LLM_API_KEY, and never shows the key', () => {
      const message = failure(() => loadConfig(OrchestratorConfig, { ...REDIS, LLM_API_KEY: 'sk-hunter2' }));
      expect(message).toBe(
        'Invalid environment: LLM_BASE_URL (not set) must be set when LLM_MODEL or LLM_API_KEY is (the endpoint to call)',
      );
    });

    it('checks LLM_AGENTS at boot without showing the keys it holds', () => {
      const agents = JSON.stringify({ planner: { model: 'gpt-4o', apiKey: 'sk-hunter2' } });
      const message = failure(() => loadConfig(OrchestratorConfig, { ...REDIS, LLM_AGENTS: agents }));
      expect(message).toBe(
        `Invalid environment: LLM_AGENTS (got a value of ${agents.length} characters) must be a JSON object of agents, each "offline" or { baseUrl, model, apiKey }`,
      );
      expect(
        failure(() =>
          loadConfig(OrchestratorConfig, {
            ...REDIS,
            LLM_BASE_URL: 'http://llm:8080/v1',
            LLM_MODEL: 'qwen',
            LLM_AGENTS: agents,
          }),
        ),
      ).toBeNull();
    });

    it('wants LLM_PRICES in USD per million tokens', () => {
      expect(
        failure(() =>
          loadConfig(OrchestratorConfig, { ...REDIS, LLM_PRICES: '{"qwen":{"prompt":-1,"completion":1}}' }),
        ),
      ).toContain('LLM_PRICES (got "{"qwen":{"prompt":-1,"completion":1}}") must be a JSON object of models');
      expect(
        failure(() =>
          loadConfig(OrchestratorConfig, {
            ...REDIS,
            LLM_PRICES: '{"qwen":{"prompt":0.2,"completion":0.6}}',
          }),
        ),
      ).toBeNull();
    });

    it('wants CPU_POOL_RECYCLE_HEAP_MB below CPU_POOL_MAX_HEAP_MB', () => {
      expect(
        failure(() =>
          loadConfig(OrchestratorConfig, {
            ...REDIS,
            CPU_POOL_MAX_HEAP_MB: '128',
            CPU_POOL_RECYCLE_HEAP_MB: '128',
          }),
        ),
      ).toBe(
        'Invalid environment: CPU_POOL_RECYCLE_HEAP_MB (got "128") must be below CPU_POOL_MAX_HEAP_MB (128)',
      );
      expect(
        failure(() =>
          loadConfig(OrchestratorConfig, {
            ...REDIS,
            CPU_POOL_MAX_HEAP_MB: '512',
            CPU_POOL_RECYCLE_HEAP_MB: '400',
          }),
        ),
      ).toBeNull();
    });
  });

  it('lists the variables of a schema with those of the classes it extends', () => {
    expect(configVariables(PostgresServiceConfig)).toEqual(
      expect.arrayContaining([...configVariables(ServiceConfig), 'DATABASE_URL', 'DATABASE_SCHEMA']),
    );
    expect(configVariables(OrchestratorConfig)).not.toContain('DATABASE_URL');
  });

  it('checks the migration settings as the services check them', () => {
    for (const env of [
      {},
      { DATABASE_URL: 'x' },
      { DATABASE_URL: POSTGRES.DATABASE_URL, DATABASE_SCHEMA: 'A-B' },
    ]) {
      expect(failure(() => loadConfig(MigrationConfig, env))).toBe(
        failure(() => loadConfig(PostgresServiceConfig, { ...REDIS, PORT: '1', ...env })),
      );
    }
  });
});

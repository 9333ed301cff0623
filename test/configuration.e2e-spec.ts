import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppName, AppProcess } from './support/app-process';
import { TEST_DATABASE_URL, TEST_REDIS_URL, TestNamespace } from './support/test-environment';

const ROOT = resolve(__dirname, '..');
const SECRET = 'hunter2';

/** An app from its sources, run from `cwd`, with exactly `env` (and what Node and ts-node need). */
function spawnFromSources(name: AppName, env: Record<string, string>, cwd = ROOT): Promise<AppProcess> {
  return AppProcess.spawn(name, {
    args: [
      '-r',
      require.resolve('ts-node/register/transpile-only'),
      '-r',
      require.resolve('tsconfig-paths/register'),
      join(ROOT, 'apps', name, 'src', 'main.ts'),
    ],
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      // Not development: a developer's own .env in the repository must not change these runs.
      NODE_ENV: 'test',
      ...env,
    },
  });
}

/** Runs an app that should refuse to start; its exit code and all it printed. */
async function refusedStart(
  name: AppName,
  env: Record<string, string>,
  cwd?: string,
): Promise<{ code: number | null; output: string }> {
  const app = await spawnFromSources(name, env, cwd);
  const { code } = await app.exited(90_000);
  return { code, output: app.logs };
}

describe('configuration, as the apps see it at start-up', () => {
  it('stops each app with one line per bad variable, never printing a secret', async () => {
    const malformed = {
      REDIS_URL: `redis://:${SECRET}@127.0.0.1:6379/0@x`,
      DATABASE_URL: `postgres:/app:${SECRET}@db`,
      BOOTSTRAP_ADMIN_KEY: `admin-${SECRET}`,
    };
    const [gateway, orchestrator, metrics] = await Promise.all([
      refusedStart('gateway', malformed),
      refusedStart('orchestrator', {
        REDIS_URL: `rediss://:${SECRET}@cache:6380`,
        LLM_BASE_URL: `ftp://llm:${SECRET}@models.internal/v1`,
        LLM_MODEL: 'qwen',
        LLM_API_KEY: `sk-${SECRET}`,
      }),
      refusedStart('metrics', {
        REDIS_URL: TEST_REDIS_URL,
        DATABASE_URL: `mysql://metrics:${SECRET}@db/app`,
      }),
    ]);

    expect(gateway.code).toBe(1);
    expect(gateway.output.trim().split('\n').sort()).toEqual([
      `Invalid environment: BOOTSTRAP_ADMIN_KEY (got a value of ${malformed.BOOTSTRAP_ADMIN_KEY.length} characters) must be at least 16 characters`,
      `Invalid environment: DATABASE_URL (got a value of ${malformed.DATABASE_URL.length} characters that is not a URL) must be a postgres:// URL`,
      `Invalid environment: REDIS_URL (got a value of ${malformed.REDIS_URL.length} characters that is not a URL) must be a redis://, rediss://, redis+cluster:// or redis+sentinel:// URL`,
    ]);
    expect(orchestrator).toEqual({
      code: 1,
      output:
        'Invalid environment: LLM_BASE_URL (got "ftp://llm:***@models.internal/v1") must be an http(s) URL\n',
    });
    expect(metrics).toEqual({
      code: 1,
      output:
        'Invalid environment: DATABASE_URL (got "mysql://metrics:***@db/app") must be a postgres:// URL\n',
    });
    for (const { output } of [gateway, orchestrator, metrics]) expect(output).not.toContain(SECRET);
  });

  it('stops the orchestrator with one clear line when LLM_BASE_URL comes without LLM_MODEL', async () => {
    const result = await refusedStart('orchestrator', {
      REDIS_URL: TEST_REDIS_URL,
      LLM_BASE_URL: 'http://127.0.0.1:9/v1',
    });
    expect(result).toEqual({
      code: 1,
      output:
        'Invalid environment: LLM_MODEL (not set) must be set when LLM_BASE_URL is (the model to call)\n',
    });
  });

  describe('each app with only the variables it reads', () => {
    const namespace = new TestNamespace();
    let sitesDir: string;
    let apps: AppProcess[] = [];

    beforeAll(async () => {
      sitesDir = mkdtempSync(join(tmpdir(), 'config-sites-'));
      await namespace.prepare();
    });
    afterAll(async () => {
      await Promise.all(apps.map((app) => app.stop()));
      await namespace.dispose();
      rmSync(sitesDir, { recursive: true, force: true });
    });

    it('starts them, each ignoring the variables of the others, even wrong ones', async () => {
      const shared = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: namespace.redisPrefix, LOG_LEVEL: 'warn' };
      const postgres = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: namespace.schema };
      apps = await Promise.all([
        // No BOOTSTRAP_ADMIN_KEY: the gateway needs none (keys may come from the keys CLI).
        spawnFromSources('gateway', { ...shared, ...postgres, SITES_DIR: sitesDir, MAX_RETRIES: 'many' }),
        // No PostgreSQL at all, and gateway and metrics settings its neighbours would refuse.
        spawnFromSources('orchestrator', {
          ...shared,
          SITES_DIR: sitesDir,
          DATABASE_URL: 'not a url',
          BOOTSTRAP_ADMIN_KEY: 'short',
          CORS_ORIGINS: 'nonsense',
          RUN_MIGRATIONS: 'maybe',
        }),
        // No BOOTSTRAP_ADMIN_KEY, no SITES_DIR; orchestrator settings it does not read.
        spawnFromSources('metrics', {
          ...shared,
          ...postgres,
          RUN_MIGRATIONS: 'false',
          LLM_BASE_URL: 'http://127.0.0.1:9/v1',
          CPU_POOL_RECYCLE_HEAP_MB: '99999',
        }),
      ]);
      const health = await Promise.all(apps.map((app) => app.waitUntilHealthy()));
      expect(health.map((report) => report.status)).toEqual(['ok', 'ok', 'ok']);
    });
  });

  describe('.env', () => {
    let cwd: string;

    beforeAll(() => {
      cwd = mkdtempSync(join(tmpdir(), 'config-dotenv-'));
      writeFileSync(join(cwd, '.env'), 'MAX_RETRIES=many\nAUDIT_THRESHOLD=high\n');
    });
    afterAll(() => rmSync(cwd, { recursive: true, force: true }));

    it('is read in development, under the real environment, and not in production', async () => {
      const real = { REDIS_URL: TEST_REDIS_URL, AUDIT_THRESHOLD: '80' };
      const [development, production] = await Promise.all([
        refusedStart('orchestrator', { ...real, NODE_ENV: '' }, cwd),
        // Refused for its missing REDIS_URL only: the file's MAX_RETRIES is not read.
        refusedStart('orchestrator', { AUDIT_THRESHOLD: '80', NODE_ENV: 'production' }, cwd),
      ]);
      expect(development).toEqual({
        code: 1,
        output: 'Invalid environment: MAX_RETRIES (got "many") must be an integer from 0 to 20\n',
      });
      expect(production).toEqual({
        code: 1,
        output:
          'Invalid environment: REDIS_URL (not set) must be a redis://, rediss://, redis+cluster:// or redis+sentinel:// URL\n',
      });
    });
  });
});

import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { MIGRATIONS } from '@app/persistence';
import { Client } from 'pg';
import { TEST_DATABASE_URL } from './support/test-environment';

const ROOT = resolve(__dirname, '..');

/** `npm run migration:run` as a developer runs it, with only the database in its environment. */
async function migrationRun(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const { PATH, HOME } = process.env;
  try {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '--silent', 'migration:run'], {
      cwd: ROOT,
      env: { PATH: PATH ?? '', HOME: HOME ?? '', NODE_ENV: 'test', ...env },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, output: stdout + stderr };
  }
}

describe('npm run migration:run', () => {
  const schema = `migrate_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const database = new Client({ connectionString: TEST_DATABASE_URL });

  beforeAll(() => database.connect());
  afterAll(async () => {
    await database.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await database.end();
  });

  it('creates a fresh schema and applies every migration, then finds none pending', async () => {
    const env = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema };
    const first = await migrationRun(env);
    expect(first).toEqual({
      code: 0,
      output: expect.stringContaining(
        `migrations applied: ${MIGRATIONS.map((migration) => migration.name).join(', ')}`,
      ) as string,
    });
    const tables = await database.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual([
      'agent_executions',
      'api_keys',
      'llm_calls',
      'log_entries',
      'log_level_counts',
      'migrations',
      // TypeORM's record of generated columns (workflow_runs.search), kept by the migration runner.
      'typeorm_metadata',
      'workflow_records',
      'workflow_runs',
    ]);

    expect(await migrationRun(env)).toEqual({
      code: 0,
      output: expect.stringContaining('migrations applied: none pending') as string,
    });
  });

  it('says which variable is wrong, without showing its value', async () => {
    const value = 'postgres:/migrator:hunter2@db';
    const result = await migrationRun({ DATABASE_URL: value });
    expect(result.code).toBe(1);
    expect(result.output.trim()).toBe(
      `Invalid environment: DATABASE_URL (got a value of ${value.length} characters that is not a URL) must be a postgres:// URL`,
    );
  });
});

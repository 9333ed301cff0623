import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

const MIGRATION_LOCK = 7_164_000_001;

/** Creates the schema if needed and applies pending migrations; returns their names. */
export async function runMigrations(params: { url: string; schema: string }): Promise<string[]> {
  const dataSource = new DataSource({
    ...dataSourceOptions({ ...params, applicationName: 'migrations' }),
    logging: false,
  });
  await dataSource.initialize();
  try {
    // Replicas starting together take turns; the second finds nothing pending.
    const runner = dataSource.createQueryRunner();
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${params.schema}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      await runner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}

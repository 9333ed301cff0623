import 'reflect-metadata';
import { ConfigurationError, loadEnvironmentConfig } from '@app/config';
import { bootstrapApp } from '@app/observability';
import { runMigrations } from '@app/persistence';
import { MetricsModule } from './metrics.module';

/**
 * `node main.js migrate` applies the migrations and exits (the Kubernetes Job); otherwise the
 * service starts, applying them first when RUN_MIGRATIONS is true (the default, for development).
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadEnvironmentConfig(process.env, { PORT: 3002 });
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const isMigrateCommand = process.argv[2] === 'migrate';
  if (isMigrateCommand || config.RUN_MIGRATIONS) {
    const applied = await runMigrations({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
    process.stdout.write(
      `${JSON.stringify({ level: 30, service: 'metrics', msg: `migrations applied: ${applied.join(', ') || 'none pending'}` })}\n`,
    );
  }
  if (!isMigrateCommand) await bootstrapApp(MetricsModule);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `metrics service failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

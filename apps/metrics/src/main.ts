import './tracing';
import 'reflect-metadata';
import { loadConfig, MetricsConfig, MigrationConfig } from '@app/config';
import { bootstrapApp, exitOnStartError } from '@app/observability';
import { runMigrations } from '@app/persistence';
import { MetricsModule } from './metrics.module';

async function migrate(config: MigrationConfig): Promise<void> {
  const applied = await runMigrations({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
  process.stdout.write(
    `${JSON.stringify({ level: 30, service: 'metrics', msg: `migrations applied: ${applied.join(', ') || 'none pending'}` })}\n`,
  );
}

/**
 * `node main.js migrate` applies the migrations and exits (the Kubernetes Job, `npm run
 * migration:run`), reading only DATABASE_URL and DATABASE_SCHEMA; otherwise the service starts,
 * applying them first when RUN_MIGRATIONS is true (the default, for development).
 */
if (process.argv[2] === 'migrate') {
  (async () => migrate(loadConfig(MigrationConfig)))().catch((error: unknown) =>
    exitOnStartError(error, 'migrate'),
  );
} else {
  void bootstrapApp({
    module: MetricsModule,
    schema: MetricsConfig,
    beforeStart: (config) => (config.RUN_MIGRATIONS ? migrate(config) : Promise.resolve()),
  });
}

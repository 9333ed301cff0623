import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ConfigurationError, loadConfig } from '@app/config';
import { ApiKeyRole, API_KEY_ROLES, CreateApiKeyRequest } from '@app/contracts';
import { ApiKeyEntity, dataSourceOptions, runMigrations } from '@app/persistence';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DataSource, QueryFailedError } from 'typeorm';
import { ApiKeysService } from './auth/api-keys.service';
import { KeysCliConfig } from './keys-cli.config';

const USAGE = `usage: npm run keys -- <command>  (in the gateway image: node dist/apps/gateway/cli.js <command>)
  create --tenant <tenant> --role admin|client [--name <who holds it>]
                         applies pending database migrations first
  list [--tenant <tenant>]
  revoke <key id>
environment: DATABASE_URL (required), DATABASE_SCHEMA (default public); in development also .env`;

/** PostgreSQL's undefined_table: the schema or its api_keys table does not exist. */
const UNDEFINED_TABLE = '42P01';

/**
 * API keys from the command line, for the first admin key (then use POST /admin/keys). Reads only
 * the database settings of the gateway's environment. `create` applies pending migrations, since
 * the first key may come before any service has started; `list` and `revoke` never change the
 * schema, and say so when the database has not been migrated.
 */
async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseCommandLine(argv);
  const [command, ...rest] = positionals;
  switch (command) {
    case 'create': {
      const request = createRequest(values);
      const config = loadConfig(KeysCliConfig);
      await runMigrations({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
      const created = await withApiKeys(config, (keys) => keys.create(request));
      process.stdout.write(
        `created ${created.role} key ${created.id} for tenant ${created.tenantId}; it is shown only this once:\n${created.key}\n`,
      );
      return;
    }
    case 'list': {
      const listed = await withApiKeys(loadConfig(KeysCliConfig), (keys) => keys.list(values.tenant));
      for (const key of listed) {
        process.stdout.write(
          `${key.id}  ${key.tenantId}  ${key.role}  ${key.revokedAt ? `revoked ${key.revokedAt}` : 'active'}  ${key.name}\n`,
        );
      }
      return;
    }
    case 'revoke': {
      if (rest.length !== 1) throw new UsageError('revoke takes one key id');
      await withApiKeys(loadConfig(KeysCliConfig), (keys) => keys.revoke(rest[0]));
      process.stdout.write(`revoked ${rest[0]}\n`);
      return;
    }
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'no command');
  }
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: { tenant: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function createRequest(values: { tenant?: string; role?: string; name?: string }): CreateApiKeyRequest {
  const request = plainToInstance(CreateApiKeyRequest, {
    tenantId: values.tenant,
    role: values.role as ApiKeyRole,
    name: values.name ?? 'created with the keys CLI',
  });
  const errors = validateSync(request).flatMap((error) => Object.values(error.constraints ?? {}));
  if (errors.length > 0) throw new UsageError(`${errors.join('; ')} (roles: ${API_KEY_ROLES.join(', ')})`);
  return request;
}

/** Runs `work` with the API keys of the configured database, then disconnects. */
async function withApiKeys<T>(config: KeysCliConfig, work: (keys: ApiKeysService) => Promise<T>): Promise<T> {
  const dataSource = await new DataSource({
    ...dataSourceOptions({
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      applicationName: 'keys-cli',
    }),
    logging: false,
  }).initialize();
  try {
    return await work(new ApiKeysService(dataSource.getRepository(ApiKeyEntity)));
  } catch (error) {
    if (
      error instanceof QueryFailedError &&
      (error.driverError as { code?: string }).code === UNDEFINED_TABLE
    )
      throw new NotMigratedError(config.DATABASE_SCHEMA);
    throw error;
  } finally {
    await dataSource.destroy();
  }
}

class UsageError extends Error {}

class NotMigratedError extends Error {
  constructor(schema: string) {
    super(
      `The database is not migrated: schema "${schema}" has no api_keys table. Apply the migrations first ` +
        '(`npm run migration:run`; with the images, `node dist/apps/metrics/main.js migrate` in the metrics ' +
        'image, as the migration Job does), or create a key: `create` applies them.',
    );
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) process.stderr.write(`${error.message}\n${USAGE}\n`);
  else if (error instanceof ConfigurationError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

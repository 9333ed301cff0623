import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ConfigurationError, loadEnvironmentConfig } from '@app/config';
import { ApiKeyRole, API_KEY_ROLES, CreateApiKeyRequest } from '@app/contracts';
import { ApiKeyEntity, dataSourceOptions, runMigrations } from '@app/persistence';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DataSource } from 'typeorm';
import { ApiKeysService } from './auth/api-keys.service';

const USAGE = `usage:
  npm run keys -- create --tenant <tenant> --role admin|client [--name <who holds it>]
  npm run keys -- list [--tenant <tenant>]
  npm run keys -- revoke <key id>`;

/**
 * API keys from the command line, for the first admin key (then use POST /admin/keys). Talks to
 * PostgreSQL with the same environment as the gateway, applying pending migrations first.
 */
async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { tenant: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } },
  });
  const [command, ...rest] = positionals;
  const config = loadEnvironmentConfig(process.env, { PORT: 3000 });
  await runMigrations({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
  const dataSource = await new DataSource({
    ...dataSourceOptions({
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      applicationName: 'keys-cli',
    }),
    logging: false,
  }).initialize();
  try {
    const keys = new ApiKeysService(dataSource.getRepository(ApiKeyEntity));
    switch (command) {
      case 'create': {
        const request = plainToInstance(CreateApiKeyRequest, {
          tenantId: values.tenant,
          role: values.role as ApiKeyRole,
          name: values.name ?? 'created with the keys CLI',
        });
        const errors = validateSync(request).flatMap((error) => Object.values(error.constraints ?? {}));
        if (errors.length > 0)
          throw new UsageError(`${errors.join('; ')} (roles: ${API_KEY_ROLES.join(', ')})`);
        const created = await keys.create(request);
        process.stdout.write(
          `created ${created.role} key ${created.id} for tenant ${created.tenantId}; it is shown only this once:\n${created.key}\n`,
        );
        return;
      }
      case 'list':
        for (const key of await keys.list(values.tenant)) {
          process.stdout.write(
            `${key.id}  ${key.tenantId}  ${key.role}  ${key.revokedAt ? `revoked ${key.revokedAt}` : 'active'}  ${key.name}\n`,
          );
        }
        return;
      case 'revoke':
        if (rest.length !== 1) throw new UsageError('revoke takes one key id');
        await keys.revoke(rest[0]);
        process.stdout.write(`revoked ${rest[0]}\n`);
        return;
      default:
        throw new UsageError(command ? `unknown command "${command}"` : 'no command');
    }
  } finally {
    await dataSource.destroy();
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) process.stderr.write(`${error.message}\n${USAGE}\n`);
  else if (error instanceof ConfigurationError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import { ConfigurationError } from '@app/config';
import { plainToInstance } from 'class-transformer';
import { Matches, validateSync } from 'class-validator';

/**
 * The environment of the keys CLI: the database only. It is validated apart from the services'
 * configuration so that the CLI asks for nothing it does not use (no REDIS_URL, no PORT).
 */
export class KeysCliConfig {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  /** The schema holding the tables, as the services have it. */
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DATABASE_SCHEMA must be a lower-case SQL identifier' })
  DATABASE_SCHEMA = 'public';
}

/**
 * Validates `env` for the keys CLI; throws a {@link ConfigurationError} naming every bad variable.
 * A bad DATABASE_URL is not echoed: it may hold a password.
 */
export function loadKeysCliConfig(env: NodeJS.ProcessEnv): KeysCliConfig {
  const raw = {
    DATABASE_URL: env.DATABASE_URL || undefined,
    DATABASE_SCHEMA: env.DATABASE_SCHEMA || undefined,
  };
  const config = plainToInstance(KeysCliConfig, raw, { exposeUnsetFields: false });
  const errors = validateSync(config, { stopAtFirstError: true });
  if (errors.length > 0) {
    const lines = errors.map((error) => {
      const given = raw[error.property as keyof typeof raw];
      const shown =
        given === undefined
          ? 'not set'
          : error.property === 'DATABASE_URL'
            ? 'set, not shown'
            : `got "${given}"`;
      return `  ${error.property} (${shown}): ${Object.values(error.constraints ?? {}).join('; ')}`;
    });
    throw new ConfigurationError(`Invalid environment:\n${lines.join('\n')}`);
  }
  return config;
}

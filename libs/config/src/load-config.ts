import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import { ConfigurationError } from './configuration-error';
import { Environment, readEnvironment } from './environment-file';
import { describeValue } from './redaction';

/** A configuration class: every field an environment variable, with its rules and default. */
export type ConfigSchema<T extends object = object> = new () => T;

/** The variables `schema` reads (its own and those of the classes it extends), in declaration order. */
export function configVariables(schema: ConfigSchema): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false);
  return [...new Set(metadata.map((entry) => entry.propertyName))];
}

/**
 * Validates the variables `schema` reads from `env` (the real environment and, in development,
 * `.env`); other variables are ignored, and an empty one counts as unset. Throws a
 * {@link ConfigurationError} with one line per bad variable, secrets described, never shown.
 */
export function loadConfig<T extends object>(
  schema: ConfigSchema<T>,
  env: Environment = readEnvironment(),
): T {
  const given: Record<string, string> = {};
  for (const variable of configVariables(schema)) {
    const value = env[variable];
    if (value !== undefined && value !== '') given[variable] = value;
  }
  const config = plainToInstance(schema, given);
  const errors = validateSync(config, { stopAtFirstError: true });
  if (errors.length > 0) {
    const lines = errors.map(
      (error) =>
        `Invalid environment: ${error.property} (${describeValue(error.property, given[error.property])}) ` +
        Object.values(error.constraints ?? {}).join('; '),
    );
    throw new ConfigurationError(lines.join('\n'));
  }
  return config;
}

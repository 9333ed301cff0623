import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigurationError } from './configuration-error';

/** Environment variables by name, as `process.env` has them. */
export type Environment = Record<string, string | undefined>;

/**
 * The variables a service is configured from: its real environment, over a `.env` file in the
 * working directory in development (NODE_ENV unset or `development`: `npm start`, an app started
 * from its sources). A real variable always wins over the file, even an empty one. The file is
 * never read in production images (NODE_ENV=production) nor under Jest (NODE_ENV=test), so a
 * developer's `.env` cannot change what the tests run.
 */
export function readEnvironment(options: { env?: Environment; cwd?: string } = {}): Environment {
  const env = options.env ?? process.env;
  if (env.NODE_ENV !== undefined && env.NODE_ENV !== '' && env.NODE_ENV !== 'development') return env;
  const path = join(options.cwd ?? process.cwd(), '.env');
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw new ConfigurationError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  return { ...parseEnv(content), ...env };
}

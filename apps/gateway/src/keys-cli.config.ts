import { Matches } from 'class-validator';

/**
 * The environment of the keys CLI: the database only, so that it asks for nothing it does not use
 * (no REDIS_URL, no PORT). Loaded with `loadConfig`, as the services load theirs.
 */
export class KeysCliConfig {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_URL!: string;

  /** The schema holding the tables, as the services have it. */
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'must be a lower-case SQL identifier' })
  DATABASE_SCHEMA = 'public';
}

import { DataSourceOptions } from 'typeorm';
import { LogEntryEntity } from './log-entry.entity';
import { CreateLogEntries1764000000000 } from './migrations/1764000000000-create-log-entries';

export const ENTITIES = [LogEntryEntity];
export const MIGRATIONS = [CreateLogEntries1764000000000];

/**
 * TypeORM options for the shared database. Tables live in `schema` (tests use one of their own);
 * the schema is changed only by migrations, never by `synchronize`.
 */
export function dataSourceOptions(params: {
  url: string;
  schema: string;
  applicationName: string;
}): DataSourceOptions {
  return {
    type: 'postgres',
    url: params.url,
    schema: params.schema,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    applicationName: params.applicationName,
    // Unqualified names in migrations resolve to the schema too.
    extra: { options: `-c search_path=${params.schema}`, max: 10, connectionTimeoutMillis: 5000 },
  };
}

import { ConfigurationError } from '@app/config';
import { loadKeysCliConfig } from './keys-cli.config';

describe('loadKeysCliConfig', () => {
  it('needs only DATABASE_URL, and defaults the schema to public', () => {
    expect(loadKeysCliConfig({ DATABASE_URL: 'postgres://root@127.0.0.1/test' })).toEqual({
      DATABASE_URL: 'postgres://root@127.0.0.1/test',
      DATABASE_SCHEMA: 'public',
    });
  });

  it('takes DATABASE_SCHEMA, and ignores the services’ variables it does not use', () => {
    const config = loadKeysCliConfig({
      DATABASE_URL: 'postgresql://root@db/test',
      DATABASE_SCHEMA: 'tenant_keys',
      REDIS_URL: 'not even a URL',
      PORT: 'none',
    });
    expect(config).toEqual({ DATABASE_URL: 'postgresql://root@db/test', DATABASE_SCHEMA: 'tenant_keys' });
  });

  it('names every bad variable and what it expected', () => {
    expect(() => loadKeysCliConfig({ DATABASE_URL: '', DATABASE_SCHEMA: 'Keys' })).toThrow(
      new ConfigurationError(
        'Invalid environment:\n' +
          '  DATABASE_URL (not set): DATABASE_URL must be a postgres:// URL\n' +
          '  DATABASE_SCHEMA (got "Keys"): DATABASE_SCHEMA must be a lower-case SQL identifier',
      ),
    );
  });

  it('does not echo a bad DATABASE_URL, which may hold a password', () => {
    expect(() => loadKeysCliConfig({ DATABASE_URL: 'mysql://root:s3cret@db/test' })).toThrow(
      new ConfigurationError(
        'Invalid environment:\n  DATABASE_URL (set, not shown): DATABASE_URL must be a postgres:// URL',
      ),
    );
  });
});

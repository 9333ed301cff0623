import { ConfigurationError, loadConfig } from '@app/config';
import { KeysCliConfig } from './keys-cli.config';

describe('KeysCliConfig', () => {
  it('needs only DATABASE_URL, and defaults the schema to public', () => {
    expect(loadConfig(KeysCliConfig, { DATABASE_URL: 'postgres://root@127.0.0.1/test' })).toEqual({
      DATABASE_URL: 'postgres://root@127.0.0.1/test',
      DATABASE_SCHEMA: 'public',
    });
  });

  it('takes DATABASE_SCHEMA, and ignores the services’ variables it does not use', () => {
    const config = loadConfig(KeysCliConfig, {
      DATABASE_URL: 'postgresql://root@db/test',
      DATABASE_SCHEMA: 'tenant_keys',
      REDIS_URL: 'not even a URL',
      PORT: 'none',
    });
    expect(config).toEqual({ DATABASE_URL: 'postgresql://root@db/test', DATABASE_SCHEMA: 'tenant_keys' });
  });

  it('names every bad variable, and hides the password of a bad DATABASE_URL', () => {
    expect(() =>
      loadConfig(KeysCliConfig, { DATABASE_URL: 'mysql://root:s3cret@db/test', DATABASE_SCHEMA: 'Keys' }),
    ).toThrow(
      new ConfigurationError(
        'Invalid environment: DATABASE_URL (got "mysql://root:***@db/test") must be a postgres:// URL\n' +
          'Invalid environment: DATABASE_SCHEMA (got "Keys") must be a lower-case SQL identifier',
      ),
    );
  });
});

import { ConfigurationError, loadEnvironmentConfig } from './environment.config';

const valid = { REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'postgres://root@127.0.0.1/test' };

describe('loadEnvironmentConfig', () => {
  it('fills the seed defaults and the app port', () => {
    const config = loadEnvironmentConfig(valid, { PORT: 3001 });
    expect(config).toMatchObject({
      PORT: 3001,
      MAX_RETRIES: 3,
      AGENT_TIMEOUT_SECONDS: 300,
      SESSION_TTL_HOURS: 24,
      SESSION_CLEANUP_DAYS: 90,
      RUN_MIGRATIONS: true,
    });
  });

  it('reads numbers and booleans from strings', () => {
    const config = loadEnvironmentConfig(
      { ...valid, PORT: '4000', MAX_RETRIES: '5', RUN_MIGRATIONS: 'false' },
      { PORT: 1 },
    );
    expect(config.PORT).toBe(4000);
    expect(config.MAX_RETRIES).toBe(5);
    expect(config.RUN_MIGRATIONS).toBe(false);
  });

  it.each([
    [{ MAX_RETRIES: 'three' }, /MAX_RETRIES \(got "three"\): MAX_RETRIES must be an integer/],
    [{ PORT: '70000' }, /PORT \(got "70000"\)/],
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL \(got "localhost:6379"\): REDIS_URL must be a redis:\/\//],
    [{ AGENT_TIMEOUT_SECONDS: '0' }, /AGENT_TIMEOUT_SECONDS/],
    [{ RUN_MIGRATIONS: 'yes' }, /RUN_MIGRATIONS must be true or false/],
    [
      { CORS_ORIGINS: 'example.com' },
      /CORS_ORIGINS must be \* or a comma-separated list of http\(s\) origins/,
    ],
    [{ REQUEST_BODY_LIMIT_BYTES: '10' }, /REQUEST_BODY_LIMIT_BYTES/],
    [{ RATE_LIMIT_PER_MINUTE: '0' }, /RATE_LIMIT_PER_MINUTE/],
  ])('names the variable and what it expected for %p', (override, message) => {
    expect(() => loadEnvironmentConfig({ ...valid, ...override }, { PORT: 1 })).toThrow(message);
  });

  it('accepts a list of CORS origins, and has gateway protection defaults', () => {
    const config = loadEnvironmentConfig(
      { ...valid, CORS_ORIGINS: 'https://a.example, http://localhost:5173' },
      { PORT: 1 },
    );
    expect(config).toMatchObject({ REQUEST_BODY_LIMIT_BYTES: 1048576, RATE_LIMIT_PER_MINUTE: 600 });
  });

  it('says which required variable is missing', () => {
    expect(() => loadEnvironmentConfig({ REDIS_URL: valid.REDIS_URL }, { PORT: 1 })).toThrow(
      new ConfigurationError(
        'Invalid environment:\n  DATABASE_URL (not set): DATABASE_URL must be a postgres:// URL',
      ),
    );
  });
});

import { describeValue, isSecretVariable, parseUrl, redactUrl } from './redaction';

const redacted = (value: string) => {
  const url = parseUrl(value);
  if (!url) throw new Error(`${value} should parse`);
  return redactUrl(url);
};

describe('redaction', () => {
  it.each([
    'BOOTSTRAP_ADMIN_KEY',
    'LLM_API_KEY',
    'WEBHOOK_SECRET',
    'POSTGRES_PASSWORD',
    'GITHUB_TOKEN',
    'KEY',
  ])('treats %s as a secret', (variable) => expect(isSecretVariable(variable)).toBe(true));

  it.each(['DATABASE_URL', 'MAX_RETRIES', 'KEYBOARD_LAYOUT', 'MONKEY_COUNT', 'LOG_LEVEL'])(
    'does not treat %s as a secret',
    (variable) => expect(isSecretVariable(variable)).toBe(false),
  );

  it('hides the password of a URL, and secret-looking query parameters, keeping the rest', () => {
    expect(redacted('postgres://orchestrator:s3cr3t@db.internal:5432/app')).toBe(
      'postgres://orchestrator:***@db.internal:5432/app',
    );
    expect(redacted('rediss://:s3cr3t@cache:6380/0')).toBe('rediss://:***@cache:6380/0');
    expect(redacted('postgres://u@db/app?sslmode=require&sslpassword=s3cr3t&application_name=x')).toBe(
      'postgres://u@db/app?sslmode=require&sslpassword=***&application_name=x',
    );
    expect(redacted('https://api.example/v1?api_key=s3cr3t#token=s3cr3t')).toBe(
      'https://api.example/v1?api_key=***',
    );
    expect(redacted('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('refuses as a URL a value whose password split it in the wrong place', () => {
    // new URL() reads host "user", port 12 and path "/34@db/app": the path holds a piece of the password.
    expect(parseUrl('postgres://user:12/34@db/app')).toBeNull();
    expect(parseUrl('not a url')).toBeNull();
  });

  describe('describeValue', () => {
    it('says a variable is not set', () => {
      expect(describeValue('DATABASE_URL', undefined)).toBe('not set');
    });

    it('describes a URL that does not parse by its length only', () => {
      const value = 'postgres:/user:hunter2@';
      expect(describeValue('DATABASE_URL', value)).toBe(
        `got a value of ${value.length} characters that is not a URL`,
      );
      expect(describeValue('REDIS_URL', 'redis://:p/w@h')).not.toContain('p/w');
    });

    it('shows a URL with its password as ***', () => {
      expect(describeValue('DATABASE_URL', 'mysql://root:hunter2@db/app')).toBe(
        'got "mysql://root:***@db/app"',
      );
    });

    it('describes a secret by its length, whatever it holds', () => {
      expect(describeValue('BOOTSTRAP_ADMIN_KEY', 'short-secret')).toBe('got a value of 12 characters');
      expect(describeValue('LLM_API_KEY', 'sk-1')).toBe('got a value of 4 characters');
    });

    it('shows any other value, cut when long', () => {
      expect(describeValue('MAX_RETRIES', 'three')).toBe('got "three"');
      expect(describeValue('SITES_DIR', 'x'.repeat(100))).toBe(`got "${'x'.repeat(80)}…" (100 characters)`);
    });
  });
});

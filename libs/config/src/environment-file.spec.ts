import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvironment } from './environment-file';

describe('readEnvironment', () => {
  let cwd: string;

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'env-file-'));
    writeFileSync(
      join(cwd, '.env'),
      '# a developer\'s settings\nREDIS_PREFIX=from-file\nLOG_LEVEL=debug\nLLM_MODEL="qwen 2"\nMAX_RETRIES=\n',
    );
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it.each([undefined, '', 'development'])('reads .env in development (NODE_ENV=%p)', (nodeEnv) => {
    const env = readEnvironment({ cwd, env: { NODE_ENV: nodeEnv, LOG_LEVEL: 'warn' } });
    expect(env).toMatchObject({ REDIS_PREFIX: 'from-file', LLM_MODEL: 'qwen 2' });
  });

  it('never lets .env override a real variable, even an empty one', () => {
    const env = readEnvironment({ cwd, env: { LOG_LEVEL: 'warn', REDIS_PREFIX: '' } });
    expect(env).toMatchObject({ LOG_LEVEL: 'warn', REDIS_PREFIX: '' });
  });

  it.each(['production', 'test'])('ignores .env when NODE_ENV=%s', (nodeEnv) => {
    const real = { NODE_ENV: nodeEnv, LOG_LEVEL: 'warn' };
    expect(readEnvironment({ cwd, env: real })).toEqual(real);
  });

  it('does without a .env file', () => {
    rmSync(join(cwd, '.env'));
    const real = { LOG_LEVEL: 'warn' };
    expect(readEnvironment({ cwd, env: real })).toEqual(real);
  });
});

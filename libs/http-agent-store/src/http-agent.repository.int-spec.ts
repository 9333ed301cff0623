import { randomUUID } from 'node:crypto';
import { HttpAgentDefinition } from '@app/agent-sdk/http';
import Redis from 'ioredis';
import { HttpAgentRepository } from './http-agent.repository';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const definition = (name: string, version = '1.0.0'): HttpAgentDefinition => ({
  name,
  version,
  description: `${name} over HTTP`,
  url: `https://agents.example.com/${name}`,
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  timeoutSeconds: 30,
});

describe('HttpAgentRepository (real Redis)', () => {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  let redis: Redis;
  let subscriber: Redis;
  let repository: HttpAgentRepository;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    subscriber = new Redis(REDIS_URL);
    repository = new HttpAgentRepository(redis, { prefix });
    await subscriber.subscribe(repository.changesChannel);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await Promise.all([redis.quit(), subscriber.quit()]);
  });

  /** The next version published on the changes channel. */
  const nextChange = () =>
    new Promise<string>((resolve) =>
      subscriber.once('message', (_channel, message: string) => resolve(message)),
    );

  it('keeps definitions by name in <prefix>:http-agents, secret included, and lists them by name', async () => {
    expect(await repository.version()).toBe(0);
    await repository.save(definition('summarise'));
    await repository.save(definition('classify'));
    expect(await repository.list()).toEqual([definition('classify'), definition('summarise')]);
    expect(await repository.get('summarise')).toEqual(definition('summarise'));
    expect(await repository.get('missing')).toBeUndefined();
    expect(JSON.parse((await redis.hget(`${prefix}:http-agents`, 'summarise')) ?? '')).toEqual(
      definition('summarise'),
    );
  });

  it('bumps the version and publishes it after every change, and not for removing nothing', async () => {
    const before = await repository.version();
    const published = nextChange();
    await repository.save(definition('summarise', '1.1.0'));
    expect(await published).toBe(String(before + 1));
    expect(await repository.snapshot()).toEqual({
      version: before + 1,
      definitions: [definition('classify'), definition('summarise', '1.1.0')],
    });

    const removed = nextChange();
    expect(await repository.remove('classify')).toBe(true);
    expect(await removed).toBe(String(before + 2));
    expect(await repository.remove('classify')).toBe(false);
    expect(await repository.version()).toBe(before + 2);
    expect((await repository.list()).map(({ name }) => name)).toEqual(['summarise']);
  });
});

import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { FlowControlKeys } from '../flow-control-keys';
import { FlowControlRedis } from '../flow-control-redis';
import { LlmLimiter } from './llm-limiter';
import { parseLlmLimits } from './llm-limit-settings';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('LlmLimiter (real Redis)', () => {
  const keys = new FlowControlKeys(`test-llm-limits-${randomUUID().slice(0, 8)}`);
  let redis: Redis;
  let limiter: LlmLimiter;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    limiter = new LlmLimiter(new FlowControlRedis(redis), keys);
  });

  afterAll(async () => {
    const found = await redis.keys(keys.pattern);
    if (found.length > 0) await redis.del(...found);
    await redis.quit();
  });

  it('counts requests: a burst passes, the next waits about one interval', async () => {
    const limit = { requests: 10, periodSeconds: 1, burst: 2 };
    expect((await limiter.take('p', 'requests', limit, 0)).isAllowed).toBe(true);
    expect((await limiter.take('p', 'requests', limit, 0)).isAllowed).toBe(true);
    const refused = await limiter.take('p', 'requests', limit, 0);
    expect(refused).toMatchObject({ isAllowed: false });
    if (!refused.isAllowed) expect(refused.retryInMs).toBeGreaterThan(50);
    if (!refused.isAllowed) expect(refused.retryInMs).toBeLessThanOrEqual(100);
  });

  it('counts tokens: calls pass while their estimates fit the bucket, and a refusal spends no request', async () => {
    // 1000 tokens a minute: 60 ms a token. Requests are plentiful.
    const limit = { requests: 1000, tokens: 1000, burst: 1000 };
    expect((await limiter.take('p', 'tokens', limit, 600)).isAllowed).toBe(true);
    const refused = await limiter.take('p', 'tokens', limit, 600);
    expect(refused.isAllowed).toBe(false);
    // 200 tokens are missing: 200 × 60 ms, less the time spent asking.
    if (!refused.isAllowed) expect(refused.retryInMs).toBeGreaterThan(11_000);
    if (!refused.isAllowed) expect(refused.retryInMs).toBeLessThanOrEqual(12_000);
    expect((await limiter.take('p', 'tokens', limit, 400)).isAllowed).toBe(true);
    // The refused call took no request: the request key counts exactly the two admitted.
    const requestTat = Number(await redis.get(keys.llm('p', 'tokens').requests));
    const tokenTat = Number(await redis.get(keys.llm('p', 'tokens').tokens));
    const now = Number((await redis.time())[0]) * 1000;
    expect(requestTat - now).toBeLessThanOrEqual(2 * 60 + 1000); // two 60 ms intervals, with slack for the clocks
    expect(tokenTat - now).toBeGreaterThan(59_000);
  });

  it('corrects an estimate by the real usage: a refund lets the next call through, a charge holds it back', async () => {
    const limit = { tokens: 1000 };
    expect((await limiter.take('p', 'correct', limit, 1000)).isAllowed).toBe(true);
    expect((await limiter.take('p', 'correct', limit, 500)).isAllowed).toBe(false);
    await limiter.correct('p', 'correct', limit, -800); // it spent 200, not 1000
    expect((await limiter.take('p', 'correct', limit, 500)).isAllowed).toBe(true);
    await limiter.correct('p', 'correct', limit, 300); // that one spent 800
    const refused = await limiter.take('p', 'correct', limit, 100);
    expect(refused.isAllowed).toBe(false);
  });

  it('admits a call estimated above the whole bucket once the bucket is full, and charges all of it', async () => {
    const limit = { tokens: 100 };
    expect((await limiter.take('p', 'large', limit, 250)).isAllowed).toBe(true);
    const refused = await limiter.take('p', 'large', limit, 1);
    expect(refused.isAllowed).toBe(false);
    // 250 tokens owed at 600 ms a token, less the 100 the bucket holds: about 90 s.
    if (!refused.isAllowed) expect(refused.retryInMs).toBeGreaterThan(85_000);
  });
});

describe('parseLlmLimits', () => {
  it('reads limits by model', () => {
    expect(parseLlmLimits('{"llm:openai-compatible:gpt-4o":{"requests":500,"tokens":30000}}')).toEqual({
      'llm:openai-compatible:gpt-4o': { requests: 500, tokens: 30000 },
    });
    expect(parseLlmLimits(undefined)).toEqual({});
  });

  it.each([
    ['{"gpt-4o":{"requests":1}}', 'LLM_LIMITS: "gpt-4o" must name a model as llm:<provider>:<model>'],
    ['{"llm:p:m":{"requests":-1}}', 'LLM_LIMITS: llm:p:m.requests must be a number above 0'],
    ['{"llm:p:m":{"requests":1,"burst":1.5}}', 'LLM_LIMITS: llm:p:m.burst must be a whole number above 0'],
    ['{"llm:p:m":{"rpm":1}}', 'LLM_LIMITS: llm:p:m.rpm is unknown'],
    ['{"llm:p:m":{"periodSeconds":1}}', 'LLM_LIMITS: llm:p:m limits nothing'],
    ['[', 'LLM_LIMITS is not valid JSON'],
  ])('refuses %s, saying why', (text, message) => {
    expect(() => parseLlmLimits(text)).toThrow(message);
  });
});

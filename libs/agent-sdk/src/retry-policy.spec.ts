import {
  CancelledError,
  LlmError,
  NetworkError,
  RateLimitedError,
  TimeoutError,
  ValidationError,
} from './agent-errors';
import {
  RetryNotice,
  defaultRetryConfig,
  isRetryableError,
  mergeRetryConfig,
  retryDelayMs,
  retryWithBackoff,
  withRetry,
} from './retry-policy';

const fast = mergeRetryConfig(defaultRetryConfig(3), { initialDelayMs: 1, maxDelayMs: 5 });

describe('the retry policy', () => {
  it('follows the seed: 1 s initial, base 2, 30 s cap, jitter 0.5-1.5', () => {
    const config = defaultRetryConfig();
    const error = new NetworkError('reset');
    expect(retryDelayMs(error, 1, config, () => 0)).toBe(500);
    expect(retryDelayMs(error, 1, config, () => 1)).toBe(1500);
    expect(retryDelayMs(error, 3, config, () => 0.5)).toBe(4000);
    expect(retryDelayMs(error, 10, config, () => 1)).toBe(45000); // 30 s cap times the 1.5 jitter
    for (let retry = 1; retry <= 5; retry++) {
      const base = Math.min(1000 * 2 ** (retry - 1), 30000);
      const delay = retryDelayMs(error, retry, config);
      expect(delay).toBeGreaterThanOrEqual(base * 0.5);
      expect(delay).toBeLessThanOrEqual(base * 1.5);
    }
  });

  it('honours Retry-After of an LLM error, within the cap', () => {
    const config = defaultRetryConfig();
    expect(retryDelayMs(new LlmError('429', 2500), 1, config)).toBe(2500);
    expect(retryDelayMs(new LlmError('429', 120000), 1, config)).toBe(30000);
  });

  it('honours Retry-After of a rate-limited call, within the cap, and retries it as a network error', () => {
    const config = defaultRetryConfig();
    expect(retryDelayMs(new RateLimitedError('503', 4000), 1, config)).toBe(4000);
    expect(retryDelayMs(new RateLimitedError('429', 120000), 1, config)).toBe(30000);
    expect(retryDelayMs(new RateLimitedError('429'), 1, config, () => 0)).toBe(500);
    expect(isRetryableError(new RateLimitedError('429'), 2, config)).toBe(true);
    expect(isRetryableError(new RateLimitedError('429'), 3, config)).toBe(false);
  });

  it.each([
    ['a network error', new NetworkError('reset'), 3],
    ['an LLM error', new LlmError('overloaded'), 3],
    ['a timeout', new TimeoutError('slow'), 1],
    ['a validation error', new ValidationError('bad input'), 0],
    ['a cancellation', new CancelledError(), 0],
    ['a plain ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 3],
  ])('allows %s %i retries', (_, error, retries) => {
    const config = defaultRetryConfig(3);
    expect(
      Array.from({ length: 5 }, (__, done) => isRetryableError(error, done, config)).filter(Boolean),
    ).toHaveLength(retries);
  });

  it('lets an agent override the retries of one kind only', () => {
    const config = mergeRetryConfig(defaultRetryConfig(3), { maxRetries: { llm: 6 } as never });
    expect(config.maxRetries.llm).toBe(6);
    expect(config.maxRetries.network).toBe(3);
  });
});

describe('retryWithBackoff', () => {
  it('retries until success, telling the monitor about every retry', async () => {
    const notices: RetryNotice[] = [];
    let calls = 0;
    const result = await retryWithBackoff(
      async (attempt) => {
        calls += 1;
        if (attempt < 3) throw new NetworkError(`attempt ${attempt}`);
        return 'ok';
      },
      { config: fast, onRetry: (notice) => notices.push(notice) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(notices.map(({ retry, kind }) => [retry, kind])).toEqual([
      [1, 'network'],
      [2, 'network'],
    ]);
  });

  it('gives up at once on a validation error and after the allowed retries otherwise', async () => {
    let calls = 0;
    await expect(
      retryWithBackoff(
        async () => {
          calls += 1;
          throw new ValidationError('no');
        },
        { config: fast },
      ),
    ).rejects.toThrow('no');
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retryWithBackoff(
        async () => {
          calls += 1;
          throw new NetworkError('down');
        },
        { config: fast },
      ),
    ).rejects.toThrow('down');
    expect(calls).toBe(4);
  });

  it('stops waiting when its signal fires', async () => {
    const controller = new AbortController();
    const slow = mergeRetryConfig(defaultRetryConfig(3), { initialDelayMs: 60_000, maxDelayMs: 60_000 });
    const running = retryWithBackoff(
      async () => {
        throw new NetworkError('down');
      },
      { config: slow, signal: controller.signal, onRetry: () => controller.abort(new CancelledError()) },
    );
    await expect(running).rejects.toBeInstanceOf(CancelledError);
  });

  it('adds retry to any async function with withRetry', async () => {
    let calls = 0;
    const flaky = withRetry(
      async (value: number) => {
        calls += 1;
        if (calls < 2) throw new NetworkError('blip');
        return value * 2;
      },
      { config: fast },
    );
    await expect(flaky(21)).resolves.toBe(42);
  });
});

import { parseRateLimitReset, parseRetryAfter, rateLimitResetOf } from './retry-after';

describe('parseRetryAfter', () => {
  it.each([
    ['2', 2000],
    ['0.5', 500],
    ['-3', 0],
    ['Thu, 01 Jan 1970 00:00:10 GMT', 10000],
    ['Thu, 01 Jan 1970 00:00:00 GMT', 0],
    ['', null],
    ['soon', null],
  ])('reads "%s" as %s ms', (header, expected) => {
    expect(parseRetryAfter(header, 0)).toBe(expected);
  });

  it('reads a missing header as null', () => {
    expect(parseRetryAfter(null)).toBeNull();
  });
});

describe('parseRateLimitReset (x-ratelimit-reset-*)', () => {
  it.each([
    ['6m0s', 360_000],
    ['1.5s', 1500],
    ['20ms', 20],
    ['1h2m3s', 3_723_000],
    ['2m', 120_000],
    ['1s500ms', 1500],
    ['7', 7000],
    ['0.25', 250],
    ['', null],
    ['6 minutes', null],
    ['s', null],
    ['ms5', null],
  ])('reads "%s" as %s ms', (header, expected) => {
    expect(parseRateLimitReset(header)).toBe(expected);
  });

  it('reads a missing header as null', () => {
    expect(parseRateLimitReset(null)).toBeNull();
  });
});

describe('rateLimitResetOf', () => {
  it('takes Retry-After first', () => {
    const headers = new Headers({ 'retry-after': '3', 'x-ratelimit-reset-requests': '6m0s' });
    expect(rateLimitResetOf(headers)).toBe(3000);
  });

  it('takes the reset of the limit used up', () => {
    const headers = new Headers({
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1.5s',
      'x-ratelimit-remaining-tokens': '1200',
      'x-ratelimit-reset-tokens': '6m0s',
    });
    expect(rateLimitResetOf(headers)).toBe(1500);
  });

  it('takes the longest reset when none says it is used up', () => {
    const headers = new Headers({ 'x-ratelimit-reset-requests': '20ms', 'x-ratelimit-reset-tokens': '2s' });
    expect(rateLimitResetOf(headers)).toBe(2000);
  });

  it('is null when the answer names no wait', () => {
    expect(rateLimitResetOf(new Headers({ 'x-ratelimit-reset-requests': 'later' }))).toBeNull();
  });
});

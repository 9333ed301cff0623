import {
  CancelledError,
  LlmError,
  NetworkError,
  RateLimitedError,
  TimeoutError,
  ValidationError,
} from '../agent-errors';
import { breakerOutcomeOfError, breakerOutcomeOfResponse } from './breaker-outcome';

describe('breakerOutcomeOfResponse', () => {
  it.each([
    [200, {}, { kind: 'success' }],
    [204, {}, { kind: 'success' }],
    [404, {}, { kind: 'success' }],
    [422, {}, { kind: 'success' }],
    [408, {}, { kind: 'failure' }],
    [500, {}, { kind: 'failure' }],
    [502, {}, { kind: 'failure' }],
    [429, { 'retry-after': '2' }, { kind: 'rate-limited', resetMs: 2000 }],
    [429, { 'x-ratelimit-reset-requests': '6m0s' }, { kind: 'rate-limited', resetMs: 360_000 }],
    [503, { 'x-ratelimit-reset-tokens': '20ms' }, { kind: 'rate-limited', resetMs: 20 }],
    [503, {}, { kind: 'rate-limited', resetMs: null }],
  ])('reads %s %j as %j', (status, headers, outcome) => {
    expect(breakerOutcomeOfResponse({ status, headers: new Headers(headers) })).toEqual(outcome);
  });
});

describe('breakerOutcomeOfError', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  it.each([
    [
      'a rate limit with Retry-After',
      new RateLimitedError('429', 1500),
      { kind: 'rate-limited', resetMs: 1500 },
    ],
    ['a rate limit without', new RateLimitedError('429'), { kind: 'rate-limited', resetMs: null }],
    [
      'an LLM error with Retry-After',
      new LlmError('overloaded', 3000),
      { kind: 'rate-limited', resetMs: 3000 },
    ],
    ['an LLM error without', new LlmError('bad gateway'), { kind: 'failure' }],
    ['a 5xx', new NetworkError('agent answered 502'), { kind: 'failure' }],
    ['a refused connection', refused, { kind: 'failure' }],
    ['a timeout', new TimeoutError('too slow'), { kind: 'failure' }],
    ['a refused input', new ValidationError('answered 400'), { kind: 'success' }],
    ['a cancel', new CancelledError(), { kind: 'ignored' }],
    ['a bug in the calling code', new TypeError('x is undefined'), { kind: 'ignored' }],
  ])('reads %s as %j', (_what, error, outcome) => {
    expect(breakerOutcomeOfError(error)).toEqual(outcome);
  });
});

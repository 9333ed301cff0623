import { parseRetryAfter } from './retry-after';

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

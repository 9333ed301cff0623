import { BadRequestException } from '@nestjs/common';
import { checkRange, checkTrendRange, resolveTrendRange } from './time-range';

describe('trend ranges', () => {
  const message = (run: () => void) => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(BadRequestException);
      return (error as BadRequestException).message;
    }
    return null;
  };

  it('accept a range up to 31 days by hour and 731 days by day', () => {
    expect(
      message(() =>
        checkTrendRange({ from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', interval: 'hour' }),
      ),
    ).toBeNull();
    expect(
      message(() =>
        checkTrendRange({ from: '2025-01-01T00:00:00Z', to: '2026-12-31T00:00:00Z', interval: 'day' }),
      ),
    ).toBeNull();
  });

  it.each([
    [
      { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z', interval: 'hour' as const },
      'from (2026-01-02T00:00:00Z) must be before to (2026-01-01T00:00:00Z)',
    ],
    [
      { from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z', interval: 'day' as const },
      'from (2026-01-01T00:00:00Z) must be before to (2026-01-01T00:00:00Z)',
    ],
    [
      { from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z', interval: 'hour' as const },
      'a trend by hour covers at most 31 days; from 2026-01-01T00:00:00Z to 2026-03-01T00:00:00Z is 59 days (use interval=day)',
    ],
    [
      { from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z', interval: 'day' as const },
      'a trend by day covers at most 731 days; from 2020-01-01T00:00:00Z to 2026-01-01T00:00:00Z is 2192 days',
    ],
  ])('refuse %p with a clear message', (query, expected) => {
    expect(message(() => checkTrendRange(query))).toBe(expected);
  });

  it('let an open-ended summary range through', () => {
    expect(message(() => checkRange({ from: '2026-01-01T00:00:00Z' }))).toBeNull();
    expect(message(() => checkRange({}))).toBeNull();
  });

  describe('the range a trend covers', () => {
    const now = new Date('2026-11-29T10:30:00.000Z');

    it('is the last 24 hours when neither end is given', () => {
      expect(resolveTrendRange({ interval: 'hour' }, now)).toEqual({
        from: '2026-11-28T10:30:00.000Z',
        to: '2026-11-29T10:30:00.000Z',
        interval: 'hour',
      });
    });

    it('is the 24 hours before `to` when only `to` is given', () => {
      expect(resolveTrendRange({ to: '2026-01-02T00:00:00Z', interval: 'day' }, now)).toEqual({
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-01-02T00:00:00Z',
        interval: 'day',
      });
    });

    it('runs from `from` up to now when only `from` is given, and keeps both when both are', () => {
      expect(resolveTrendRange({ from: '2026-11-29T00:00:00Z', interval: 'hour' }, now)).toMatchObject({
        from: '2026-11-29T00:00:00Z',
        to: '2026-11-29T10:30:00.000Z',
      });
      const both = { from: '2026-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z', interval: 'day' as const };
      expect(resolveTrendRange(both, now)).toEqual(both);
    });
  });
});

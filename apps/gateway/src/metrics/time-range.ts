import { BadRequestException } from '@nestjs/common';
import { TrendInterval } from '@app/contracts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The range of a trend asked for without one: the last 24 hours. */
export const DEFAULT_TREND_RANGE_MS = DAY_MS;

/** The longest range a trend may cover at each interval: about 750 buckets either way. */
export const MAX_TREND_RANGE_DAYS: Record<TrendInterval, number> = { hour: 31, day: 731 };

/** Throws a 400 naming the problem unless `from` (when given) is before `to` (when given). */
export function checkRange(range: { from?: string; to?: string }): void {
  if (range.from !== undefined && range.to !== undefined && Date.parse(range.from) >= Date.parse(range.to)) {
    throw new BadRequestException(`from (${range.from}) must be before to (${range.to})`);
  }
}

/**
 * The range a trend covers: as asked, with `to` defaulting to `now` and `from` to the 24 hours
 * before `to`, both as ISO-8601 strings (the answer carries them, so the caller sees what was used).
 */
export function resolveTrendRange(
  query: { from?: string; to?: string; interval: TrendInterval },
  now: Date,
): { from: string; to: string; interval: TrendInterval } {
  const to = query.to ?? now.toISOString();
  const from = query.from ?? new Date(Date.parse(to) - DEFAULT_TREND_RANGE_MS).toISOString();
  return { from, to, interval: query.interval };
}

/** Throws a 400 unless from < to and the range has at most the allowed number of buckets. */
export function checkTrendRange(query: { from: string; to: string; interval: TrendInterval }): void {
  checkRange(query);
  const days = (Date.parse(query.to) - Date.parse(query.from)) / DAY_MS;
  const limit = MAX_TREND_RANGE_DAYS[query.interval];
  if (days > limit) {
    throw new BadRequestException(
      `a trend by ${query.interval} covers at most ${limit} days; from ${query.from} to ${query.to} is ${Math.ceil(days)} days` +
        (query.interval === 'hour' ? ' (use interval=day)' : ''),
    );
  }
}

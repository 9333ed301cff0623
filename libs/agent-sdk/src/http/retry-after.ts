/**
 * An HTTP `Retry-After` header as milliseconds to wait: delta-seconds or an HTTP date; null when
 * absent or unreadable, 0 for a date already past.
 */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** `1h2m3.5s`, `6m0s`, `1.5s`, `20ms`: hours, minutes, seconds and milliseconds, each optional, in that order. */
const DURATION =
  /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/;

/**
 * An `x-ratelimit-reset-requests` / `x-ratelimit-reset-tokens` header as milliseconds: OpenAI's
 * duration format (`6m0s`, `1.5s`, `20ms`), or a plain number of seconds as other providers send.
 * Null when absent or unreadable.
 */
export function parseRateLimitReset(header: string | null): number | null {
  const value = header?.trim() ?? '';
  if (value === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const match = DURATION.exec(value);
  if (!match) return null;
  const [hours, minutes, secondsPart, milliseconds] = match.slice(1).map((part) => Number(part ?? 0));
  return Math.round(((hours * 60 + minutes) * 60 + secondsPart) * 1000 + milliseconds);
}

/** The headers of an answer, as fetch's `Headers` (or anything with its `get`) gives them. */
export interface HeaderReader {
  get(name: string): string | null;
}

/**
 * How long a 429 or 503 answer asks its caller to stay away, in milliseconds; null when it does
 * not say. `Retry-After` wins; else the reset of the `x-ratelimit-*` limit it has used up
 * (`remaining` 0), else the longest reset it names.
 */
export function rateLimitResetOf(headers: HeaderReader, now: number = Date.now()): number | null {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfter !== null) return retryAfter;
  const limits = ['requests', 'tokens'].map((limit) => ({
    reset: parseRateLimitReset(headers.get(`x-ratelimit-reset-${limit}`)),
    isExhausted: headers.get(`x-ratelimit-remaining-${limit}`)?.trim() === '0',
  }));
  const named = limits.filter(({ reset }) => reset !== null);
  const exhausted = named.filter(({ isExhausted }) => isExhausted);
  const resets = (exhausted.length > 0 ? exhausted : named).map(({ reset }) => reset as number);
  return resets.length > 0 ? Math.max(...resets) : null;
}

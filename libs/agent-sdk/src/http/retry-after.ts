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

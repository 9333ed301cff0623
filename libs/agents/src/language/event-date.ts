import { SITE_LANGUAGES, SiteLanguage } from '../site-spec.model';
import { SITE_WORDS } from './site-words';

interface CalendarDate {
  day: number;
  /** 1 to 12. */
  month: number;
  year: number | null;
}

const MONTH_NAMES: Array<[string, number]> = SITE_LANGUAGES.flatMap((language) =>
  SITE_WORDS[language].months.flatMap((names, index) =>
    names.split('|').map((name): [string, number] => [name, index + 1]),
  ),
).sort(([first], [second]) => second.length - first.length);
const MONTH = MONTH_NAMES.map(([name]) => name).join('|');
const ORDINAL = '(?:st|nd|rd|th|\\.|º|er)?';

// "14 June 2026", "14 de junio de 2026", "14. Juni 2026", "June 14, 2026", "2026-06-14".
const DAY_FIRST = new RegExp(
  `(?<![\\p{L}\\d])(\\d{1,2})${ORDINAL}\\s+(?:de\\s+)?(${MONTH})(?![\\p{L}])(?:,?\\s+(?:de\\s+)?(\\d{4}))?`,
  'iu',
);
const MONTH_FIRST = new RegExp(
  `(?<![\\p{L}])(${MONTH})\\s+(\\d{1,2})(?:st|nd|rd|th)?(?![\\d\\p{L}])(?:,?\\s+(\\d{4}))?`,
  'iu',
);
const ISO = /\b(\d{4})-(\d{2})-(\d{2})\b/;

/** A date named in a request, as it was written, or null. */
export function detectEventDate(request: string): string | null {
  return (DAY_FIRST.exec(request) ?? MONTH_FIRST.exec(request) ?? ISO.exec(request))?.[0] ?? null;
}

/** A date as the site's language writes it ("14 de junio de 2026"); unparsed text is kept. */
export function formatEventDate(written: string, language: SiteLanguage): string {
  const date = parseDate(written);
  if (!date) return written;
  const format = new Intl.DateTimeFormat(SITE_WORDS[language].locale, {
    day: 'numeric',
    month: 'long',
    ...(date.year === null ? {} : { year: 'numeric' }),
    timeZone: 'UTC',
  });
  return format.format(new Date(Date.UTC(date.year ?? 2000, date.month - 1, date.day)));
}

function parseDate(text: string): CalendarDate | null {
  const monthOf = (name: string) =>
    MONTH_NAMES.find(([candidate]) => candidate === name.toLowerCase())?.[1] ?? 0;
  const yearOf = (value: string | undefined) => (value ? Number(value) : null);
  const iso = ISO.exec(text);
  if (iso) return valid({ day: Number(iso[3]), month: Number(iso[2]), year: Number(iso[1]) });
  const dayFirst = DAY_FIRST.exec(text);
  if (dayFirst)
    return valid({ day: Number(dayFirst[1]), month: monthOf(dayFirst[2]), year: yearOf(dayFirst[3]) });
  const monthFirst = MONTH_FIRST.exec(text);
  if (monthFirst)
    return valid({ day: Number(monthFirst[2]), month: monthOf(monthFirst[1]), year: yearOf(monthFirst[3]) });
  return null;
}

function valid(date: CalendarDate): CalendarDate | null {
  return date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= 31 ? date : null;
}

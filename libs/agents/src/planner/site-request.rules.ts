import { detectEventDate } from '../language/event-date';
import { detectLanguage } from '../language/language-detection';
import { SITE_WORDS } from '../language/site-words';
import { SessionPreferences } from '../session-preferences.model';
import {
  SITE_LANGUAGES,
  SiteKind,
  SiteSpec,
  ThemeHints,
  Tone,
  isSiteLanguage,
  siteLanguageOf,
} from '../site-spec.model';
import { capitalize } from '../language/copy-template';
import { TextWords, escapeRegExp, titleCase, truncate } from '../text.format';
import { plannedPages } from './page-catalog.rules';
import { readRequestedDetails } from './requested-details.rules';

/** A spec planned from a request, with what the planner had to guess. */
export interface RulePlan {
  spec: SiteSpec;
  /** Things worth a warning in the step's log (another language, a guessed kind). */
  warnings: string[];
}

// Every language's kind words at once: a Spanish word in an English request still counts.
const KIND_WORDS = new Map<SiteKind, Map<string, number>>();
for (const language of SITE_LANGUAGES) {
  for (const [kind, words] of Object.entries(SITE_WORDS[language].kindWords) as Array<
    [SiteKind, Array<[string, number]>]
  >) {
    const known = KIND_WORDS.get(kind) ?? new Map<string, number>();
    for (const [word, weight] of words) known.set(word, Math.max(weight, known.get(word) ?? 0));
    KIND_WORDS.set(kind, known);
  }
}

const KIND_TONES: Record<SiteKind, Tone> = {
  portfolio: 'elegant',
  blog: 'friendly',
  restaurant: 'friendly',
  'small-business': 'professional',
  event: 'bold',
  personal: 'friendly',
  wedding: 'elegant',
  podcast: 'bold',
  trades: 'professional',
  fitness: 'bold',
  nonprofit: 'friendly',
  general: 'friendly',
};

// Kinds whose date in the request is the day of the event.
const DATED_KINDS: SiteKind[] = ['event', 'wedding'];

const TONE_WORDS: Array<[Tone, string[]]> = [
  ['professional', ['professional', 'corporate', 'formal', 'serious', 'trustworthy']],
  ['playful', ['playful', 'fun', 'quirky', 'whimsical', 'cheerful', 'colourful', 'colorful']],
  [
    'elegant',
    ['elegant', 'luxury', 'luxurious', 'sophisticated', 'minimal', 'minimalist', 'refined', 'classy'],
  ],
  ['bold', ['bold', 'striking', 'edgy', 'energetic', 'loud', 'vibrant']],
  ['friendly', ['friendly', 'warm', 'cozy', 'cosy', 'casual', 'welcoming', 'relaxed']],
];

/** Named colours a request may use, as accessible-leaning mid tones. */
export const COLOR_NAMES: Record<string, string> = {
  red: '#c62828',
  crimson: '#b71c1c',
  burgundy: '#7b1e3a',
  maroon: '#800000',
  orange: '#e65100',
  coral: '#ff7f50',
  amber: '#ffb300',
  gold: '#b8860b',
  golden: '#b8860b',
  yellow: '#f9a825',
  olive: '#6b7d2a',
  lime: '#7cb342',
  green: '#2e7d32',
  emerald: '#047857',
  forest: '#1b5e20',
  mint: '#3eb489',
  teal: '#00796b',
  turquoise: '#0e9aa7',
  cyan: '#00838f',
  sky: '#0284c7',
  blue: '#1565c0',
  navy: '#1a237e',
  indigo: '#3949ab',
  purple: '#6a1b9a',
  violet: '#7c3aed',
  lavender: '#8e7cc3',
  magenta: '#c2185b',
  pink: '#d81b60',
  rose: '#e11d48',
  brown: '#6d4c41',
  beige: '#c8ad7f',
  grey: '#546e7a',
  gray: '#546e7a',
  slate: '#475569',
  charcoal: '#36454f',
};

const COLOR_CONTEXT = '(?:accents?|colou?rs?|palette|theme|tones?|highlights?|scheme|buttons?|links?)';

/** Dark/light and colours the request names. */
export function detectTheme(text: string): ThemeHints {
  const lower = text.toLowerCase();
  let mode: ThemeHints['mode'] = null;
  if (/\b(dark|night|moody|black background)\b|\b(oscuro|sombre|dunkel)\b/.test(lower)) mode = 'dark';
  if (
    /\b(light|bright|white background|airy)\b(?!\s*(?:house|room|box|painting))|\b(claro|clair|hell)\b/.test(
      lower,
    )
  ) {
    mode = mode === 'dark' ? lastMention(lower) : 'light';
  }
  const colors: string[] = [];
  for (const match of lower.matchAll(/#(?:[0-9a-f]{6}|[0-9a-f]{3})\b/g)) colors.push(expandHex(match[0]));
  const names = Object.keys(COLOR_NAMES).join('|');
  const named = new RegExp(`\\b(${names})(?:\\s+and\\s+(${names}))?\\s+${COLOR_CONTEXT}\\b`, 'g');
  for (const match of lower.matchAll(named)) {
    for (const name of [match[1], match[2]]) if (name) colors.push(COLOR_NAMES[name]);
  }
  return { mode, colors: [...new Set(colors)] };
}

/** A tone word in the request, if any. */
export function detectTone(text: string): Tone | null {
  const request = new TextWords(text);
  for (const [tone, words] of TONE_WORDS) if (words.some((word) => request.has(word))) return tone;
  return null;
}

/** Scores each kind by its words in the request; null when none appears. */
export function detectKind(text: string): SiteKind | null {
  const request = new TextWords(text);
  let best: SiteKind | null = null;
  let bestScore = 0;
  for (const [kind, words] of KIND_WORDS) {
    let score = 0;
    for (const [word, weight] of words) if (request.has(word)) score += weight;
    if (score > bestScore) {
      best = kind;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Plans a site from a request with rules alone: the offline planner, and the fallback when a
 * language model answers with something unusable.
 */
export function planSiteByRules(request: string, preferences: SessionPreferences = {}): RulePlan {
  const warnings: string[] = [];
  const requestLanguage = detectLanguage(request);
  if (!isSiteLanguage(requestLanguage)) {
    warnings.push(
      `the request looks like it is written in "${requestLanguage}", which sites cannot be written in yet; the site will be in English`,
    );
  }
  const language = siteLanguageOf({ requestLanguage });
  const detectedKind = detectKind(request);
  const kind = detectedKind ?? 'general';
  if (!detectedKind)
    warnings.push(
      'could not tell which kind of site was asked for; planning a general site in its own words',
    );

  const { name, subject } = detectNameAndSubject(request, kind, language);
  return {
    spec: {
      kind,
      name,
      subject,
      tone: detectTone(request) ?? preferences.tone ?? KIND_TONES[kind],
      theme: detectTheme(request),
      pages: plannedPages(kind, readRequestedDetails(request), language),
      location: detectLocation(request, requestLanguage),
      eventDate: DATED_KINDS.includes(kind) ? detectEventDate(request) : null,
      requestLanguage,
      request,
    },
    warnings,
  };
}

// What ends a subject phrase: styling, a date, or the list of what the site should have.
const SUBJECT_END = new RegExp(
  String.raw`\s*(?:[,.;:!?(]|\b(?:on|el|le|am|il|em|a|no dia)\s+(?=\d)|\bon\s+(?=(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b)|\b(?:who|with|that|which|using|con|avec|mit|com|che|que|qui)\b|\bin (?:a |an )?(?:dark|light|bright)\b|\b(?:dark|light) (?:theme|mode)\b|$)`,
  'iu',
);
const FOR_WORDS = '(?:for|about|para|pour|für|per|sobre|über)';
const ARTICLES =
  /^(?:(?:a|an|the|my|our|his|her|their|mi|mis|nuestro|nuestra|un|una|el|la|los|las|mon|ma|mes|notre|une|le|les|l'|mein|meine|meinen|unser|unsere|unseren|ein|eine|einen|il|lo|i|gli|le|o|os|a|as|um|uma|meu|minha|nosso|nossa|mio|mia|nostro|nostra)\s+)+/iu;
const SITE_WORDS_PATTERN =
  /(?<![\p{L}])(?:landing page|web site|website|webseite|homepage|webpage|sitio web|página web|site web|sito web|site|sitio|sito|web|página|seite|page|pagina)(?![\p{L}])/giu;
const SELF_DESCRIPTION =
  /(?<![\p{L}])(?:I am|I'm|I’m|soy|je suis|ich bin|sou|sono)\s+(?:(?:a|an|un|una|une|ein|eine|um|uma)\s+)?(.+)/iu;
const FIRST_ARTICLE =
  /(?<![\p{L}])(?:a|an|my|our|un|una|une|ein|eine|einen|um|uma|mi|mon|ma|mein|meine|meu|minha|mio|mia)\s+(.+)/iu;
// A name of a business or of people: capitalised words, joined by "and" in any site language.
const PROPER_NAME = /^\p{Lu}[\p{L}\d'’&.-]*(?:\s+(?:\p{Lu}[\p{L}\d'’&.-]*|&|and|y|e|et|und))*$/u;

function detectNameAndSubject(
  request: string,
  kind: SiteKind,
  language: keyof typeof SITE_WORDS,
): { name: string; subject: string } {
  const quoted = /["“«]([^"”»]{2,60})["”»]/.exec(request)?.[1];
  const called =
    /(?<![\p{L}])(?:called|named|titled|llamad[oa]|appelée?|namens|chamad[oa]|chiamat[oa])\s+(\p{Lu}[\p{L}\d'’&.-]*(?:\s+\p{Lu}[\p{L}\d'’&.-]*){0,5})/u.exec(
      request,
    )?.[1];
  const forMatch = new RegExp(`(?<![\\p{L}])${FOR_WORDS}\\s+(.+)`, 'iu').exec(request);
  let subject = '';
  let properName: string | undefined;
  const selfDescription = SELF_DESCRIPTION.exec(request);
  if (selfDescription && !forMatch) {
    subject = selfDescription[1].split(SUBJECT_END)[0];
  } else if (forMatch) {
    const phrase = forMatch[1];
    // "for Luigi's, an Italian trattoria in Naples": the name, then what it is.
    const appositive =
      /^(\p{Lu}[\p{L}\d'’&.-]*(?:\s+[\p{Lu}&][\p{L}\d'’&.-]*){0,4}),\s+((?:a|an|the|un|una|une|ein|eine|um|uma)\s+[^,.;]+)/u.exec(
        phrase,
      );
    if (appositive) {
      properName = appositive[1];
      subject = appositive[2].split(SUBJECT_END)[0];
    } else {
      subject = phrase.split(SUBJECT_END)[0];
      const trimmed = subject.trim().replace(/(?:'s|’s)$/u, '');
      if (PROPER_NAME.test(trimmed) && !ARTICLES.test(`${trimmed} `)) {
        // "A 40th birthday party for Maria": Maria names the site, the words before say what it is.
        properName = trimmed;
        subject = request.slice(0, forMatch.index);
      }
    }
  }
  if (!cleanSubject(subject) && !properName) {
    // "A bike repair shop in Porto with prices": what the site is for, after its first article.
    subject = FIRST_ARTICLE.exec(request)?.[1].split(SUBJECT_END)[0] ?? '';
  }
  subject = cleanSubject(subject);
  if (!subject && kind === 'general') subject = cleanSubject(request.split(SUBJECT_END)[0]);
  if (!subject) subject = SITE_WORDS[language].kinds[kind].subject;
  const name = truncate((quoted ?? called ?? properName ?? nameFromSubject(subject, kind)).trim(), 50);
  return { name, subject: truncate(subject, 80) };
}

const LEADING_VERBS =
  /^(?:please\s+)?(?:create|make|build|design|i need|i want|we need|crea|crear|haz|hazme|necesito|quiero|crée|créez|créer|fais|erstelle|erstellen|baue|bau|cria|crie|criar|faz|preciso|fai|realizza|vorrei)\s+/iu;

function cleanSubject(subject: string): string {
  return subject
    .replace(LEADING_VERBS, '')
    .replace(SITE_WORDS_PATTERN, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(ARTICLES, '')
    .replace(
      /\s+(?:in|en|à|im|in der|a|no|na|em|nel|nella)\s*(?:\p{Lu}[\p{L}'-]*(?:\s+\p{Lu}[\p{L}'-]*)*)?\s*$/u,
      '',
    )
    .replace(/\s+/g, ' ')
    .trim();
}

function nameFromSubject(subject: string, kind: SiteKind): string {
  const core = titleCase(subject.replace(/^(?:about|on)\s+/i, ''));
  switch (kind) {
    case 'blog':
      return /\bblog\b/i.test(core) ? core : `${core} Blog`;
    case 'portfolio':
      return /\bportfolio\b/i.test(core) ? core : `${core} Portfolio`;
    case 'general':
      // The request's own words, perhaps in a language the planner cannot read: no title case.
      return truncate(capitalize(subject), 40);
    default:
      return core;
  }
}

const NOT_PLACES = new Set(
  SITE_LANGUAGES.flatMap((language) => SITE_WORDS[language].months.flatMap((names) => names.split('|'))),
);

/** A place named after a preposition of the request's language ("in Porto", "no Porto", "a Napoli"). */
function detectLocation(request: string, requestLanguage: string): string | null {
  const prepositions = new Set([
    'in',
    ...(isSiteLanguage(requestLanguage) ? SITE_WORDS[requestLanguage].placePrepositions : []),
  ]);
  const pattern = new RegExp(
    `(?<![\\p{L}])(?:${[...prepositions].map(escapeRegExp).join('|')})\\s+(\\p{Lu}[\\p{L}'-]+(?:\\s+\\p{Lu}[\\p{L}'-]+){0,2})`,
    'gu',
  );
  for (const match of request.matchAll(pattern)) {
    if (!NOT_PLACES.has(match[1].toLowerCase())) return match[1];
  }
  return null;
}

function lastMention(lower: string): 'dark' | 'light' {
  return lower.lastIndexOf('dark') > lower.lastIndexOf('light') ? 'dark' : 'light';
}

function expandHex(value: string): string {
  const hex = value.slice(1);
  return hex.length === 3 ? `#${[...hex].map((digit) => digit + digit).join('')}` : value;
}

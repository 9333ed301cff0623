import { SessionPreferences } from '../session-preferences.model';
import { PageSpec, SiteKind, SiteSpec, ThemeHints, Tone } from '../site-spec.model';
import { titleCase, truncate } from '../text.format';
import { PAGE_CATALOG, basePages, catalogPage, escapeRegExp } from './page-catalog.rules';

/** A spec planned from a request, with what the planner had to guess. */
export interface RulePlan {
  spec: SiteSpec;
  /** Things worth a warning in the step's log (another language, a guessed kind). */
  warnings: string[];
}

// Weighted words per kind: an explicit kind word outweighs words that merely suggest it.
const KIND_WORDS: Record<SiteKind, Array<[string, number]>> = {
  portfolio: [
    ['portfolio', 5],
    ['portafolio', 5],
    ['portefeuille', 5],
    ['photographer', 3],
    ['photography', 3],
    ['designer', 3],
    ['illustrator', 3],
    ['artist', 3],
    ['architect', 3],
    ['painter', 3],
    ['showcase', 2],
    ['fotógrafo', 3],
    ['photographe', 3],
    ['fotograf', 3],
    ['videographer', 3],
    ['sculptor', 3],
    ['animator', 3],
  ],
  blog: [
    ['blog', 5],
    ['блог', 5],
    ['journal', 2],
    ['articles', 2],
    ['newsletter', 2],
    ['writing', 1],
    ['diary', 2],
    ['recipes', 1],
  ],
  restaurant: [
    ['restaurant', 5],
    ['restaurante', 5],
    ['ristorante', 5],
    ['ресторан', 5],
    ['餐厅', 5],
    ['レストラン', 5],
    ['café', 4],
    ['cafe', 4],
    ['coffee shop', 4],
    ['bistro', 4],
    ['bakery', 4],
    ['pizzeria', 4],
    ['diner', 4],
    ['trattoria', 4],
    ['brasserie', 4],
    ['food truck', 4],
    ['taqueria', 4],
    ['eatery', 4],
    ['sushi', 3],
    ['bar', 2],
    ['pub', 3],
  ],
  'small-business': [
    ['business', 4],
    ['company', 3],
    ['shop', 3],
    ['store', 3],
    ['agency', 3],
    ['salon', 3],
    ['plumber', 3],
    ['plumbing', 3],
    ['consultancy', 3],
    ['consulting', 3],
    ['firm', 3],
    ['clinic', 3],
    ['gym', 3],
    ['startup', 3],
    ['services', 1],
    ['negocio', 4],
    ['empresa', 4],
    ['entreprise', 4],
    ['tienda', 3],
    ['boutique', 3],
    ['unternehmen', 4],
    ['firma', 3],
    ['electrician', 3],
    ['landscaping', 3],
    ['repair', 2],
    ['cleaning', 2],
    ['accountant', 3],
    ['dentist', 3],
    ['florist', 3],
    ['bookshop', 3],
    ['garage', 3],
  ],
  event: [
    ['event', 4],
    ['conference', 4],
    ['festival', 4],
    ['wedding', 4],
    ['meetup', 4],
    ['concert', 4],
    ['summit', 4],
    ['workshop', 3],
    ['party', 3],
    ['gala', 4],
    ['hackathon', 4],
    ['evento', 4],
    ['boda', 4],
    ['événement', 4],
    ['conférence', 4],
    ['mariage', 4],
    ['veranstaltung', 4],
    ['hochzeit', 4],
    ['konferenz', 4],
    ['fair', 2],
    ['tournament', 4],
    ['marathon', 4],
    ['exhibition', 3],
  ],
  personal: [
    ['personal', 4],
    ['resume', 4],
    ['résumé', 4],
    ['cv', 4],
    ['about me', 4],
    ['homepage', 2],
    ['myself', 3],
    ['personal site', 5],
    ['personnel', 3],
    ['personal website', 5],
  ],
};

const KIND_TONES: Record<SiteKind, Tone> = {
  portfolio: 'elegant',
  blog: 'friendly',
  restaurant: 'friendly',
  'small-business': 'professional',
  event: 'bold',
  personal: 'friendly',
};

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

const LANGUAGE_WORDS: Record<string, string[]> = {
  en: [
    'the',
    'a',
    'an',
    'for',
    'with',
    'and',
    'my',
    'of',
    'website',
    'site',
    'create',
    'make',
    'build',
    'page',
    'about',
    'our',
  ],
  es: [
    'el',
    'la',
    'los',
    'las',
    'para',
    'con',
    'un',
    'una',
    'sitio',
    'web',
    'página',
    'de',
    'y',
    'mi',
    'crea',
    'crear',
    'nuestro',
  ],
  fr: [
    'le',
    'la',
    'les',
    'pour',
    'avec',
    'un',
    'une',
    'site',
    'de',
    'et',
    'mon',
    'ma',
    'créer',
    'crée',
    'notre',
    'du',
  ],
  de: [
    'der',
    'die',
    'das',
    'für',
    'mit',
    'ein',
    'eine',
    'und',
    'mein',
    'meine',
    'erstelle',
    'webseite',
    'unser',
    'von',
  ],
  pt: [
    'o',
    'os',
    'para',
    'com',
    'um',
    'uma',
    'site',
    'de',
    'e',
    'meu',
    'minha',
    'criar',
    'crie',
    'página',
    'nosso',
  ],
  it: [
    'il',
    'lo',
    'gli',
    'per',
    'con',
    'un',
    'una',
    'sito',
    'di',
    'e',
    'mio',
    'mia',
    'crea',
    'creare',
    'nostro',
  ],
};

const SCRIPTS: Array<[RegExp, string]> = [
  [/[\u3040-\u30ff]/, 'ja'],
  [/[\uac00-\ud7af]/, 'ko'],
  [/[\u4e00-\u9fff]/, 'zh'],
  [/[\u0400-\u04ff]/, 'ru'],
  [/[\u0600-\u06ff]/, 'ar'],
  [/[\u0590-\u05ff]/, 'he'],
  [/[\u0370-\u03ff]/, 'el'],
  [/[\u0900-\u097f]/, 'hi'],
  [/[\u0e00-\u0e7f]/, 'th'],
];

/** Best guess at the language of a request: a script, or the most frequent function words. */
export function detectLanguage(text: string): string {
  for (const [pattern, language] of SCRIPTS) if (pattern.test(text)) return language;
  const words = text
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter(Boolean);
  let best = 'en';
  let bestScore = 0;
  for (const [language, vocabulary] of Object.entries(LANGUAGE_WORDS)) {
    const score = words.filter((word) => vocabulary.includes(word)).length;
    // English wins ties: shared words ("site", "de") should not flip an English request.
    if (score > bestScore || (score === bestScore && language === 'en')) {
      best = language;
      bestScore = score;
    }
  }
  return bestScore === 0 && words.length > 0 && !/[a-z]/i.test(text) ? 'und' : best;
}

/** Scores each kind by its words in the request; null when none appears. */
export function detectKind(text: string): SiteKind | null {
  const lower = text.toLowerCase();
  let best: SiteKind | null = null;
  let bestScore = 0;
  for (const [kind, words] of Object.entries(KIND_WORDS) as Array<[SiteKind, Array<[string, number]>]>) {
    const score = words.reduce((sum, [word, weight]) => sum + (containsWord(lower, word) ? weight : 0), 0);
    if (score > bestScore) {
      best = kind;
      bestScore = score;
    }
  }
  return best;
}

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
  const lower = text.toLowerCase();
  for (const [tone, words] of TONE_WORDS) if (words.some((word) => containsWord(lower, word))) return tone;
  return null;
}

/**
 * Plans a site from a request with rules alone: the offline planner, and the fallback when a
 * language model answers with something unusable.
 */
export function planSiteByRules(request: string, preferences: SessionPreferences = {}): RulePlan {
  const warnings: string[] = [];
  const language = detectLanguage(request);
  if (language !== 'en') {
    warnings.push(
      `the request looks like it is written in "${language}"; the site's copy will be written in English`,
    );
  }
  const detectedKind = detectKind(request);
  const kind = detectedKind ?? 'personal';
  if (!detectedKind)
    warnings.push('could not tell which kind of site was asked for; planning a personal site');

  const { name, subject } = detectNameAndSubject(request, kind);
  const theme = detectTheme(request);
  const pages = basePages(kind);
  if (kind === 'event') namePeoplePage(request, pages);
  addRequestedPages(request, pages);

  return {
    spec: {
      kind,
      name,
      subject,
      tone: detectTone(request) ?? preferences.tone ?? KIND_TONES[kind],
      theme,
      pages,
      location: detectLocation(request),
      eventDate: kind === 'event' ? detectDate(request) : null,
      requestLanguage: language,
      request,
    },
    warnings,
  };
}

// Stop words that end a subject phrase: what follows is styling or extra pages, not the subject.
const SUBJECT_END =
  /\s*(?:[,.;:!?(]|\bon\s+(?=\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b)|\bwho\b|\bwith\b|\bthat\b|\bwhich\b|\busing\b|\bin (?:a |an )?(?:dark|light|bright)\b|\b(?:dark|light) (?:theme|mode)\b|\bcon\b|\bavec\b|\bmit\b|$)/i;
const FOR_WORDS = '(?:for|about|para|pour|für|per|sobre)';
const ARTICLES =
  /^(?:(?:a|an|the|my|our|his|her|their|mi|mis|nuestro|nuestra|un|una|el|la|mon|ma|notre|une|le|les|mein|meine|unser|unsere|ein|eine|il|lo|o|os|meu|minha)\s+)+/i;

function detectNameAndSubject(request: string, kind: SiteKind): { name: string; subject: string } {
  const quoted = /["“«']([^"”»']{2,60})["”»']/.exec(request)?.[1];
  const called =
    /\b(?:called|named|titled|llamad[oa]|appelée?|namens)\s+([A-Z0-9][\w'&.-]*(?:\s+[A-Z0-9&][\w'&.-]*){0,5})/.exec(
      request,
    )?.[1];
  const forMatch = new RegExp(`\\b${FOR_WORDS}\\s+(.+)`, 'i').exec(request);
  let subject = '';
  let properName: string | undefined;
  // "I am a software engineer who loves hiking": a personal site says who it is about.
  const selfDescription = /\b(?:I am|I'm|I’m)\s+((?:a|an)\s+.+)/i.exec(request);
  if (selfDescription && !forMatch) {
    subject = selfDescription[1].split(SUBJECT_END)[0];
  } else if (forMatch) {
    const phrase = forMatch[1];
    // "for Luigi's, an Italian trattoria in Naples": the name, then what it is.
    const appositive = /^([A-Z][\w'&.-]*(?:\s+[A-Z&][\w'&.-]*){0,4}),\s+((?:a|an|the)\s+[^,.;]+)/.exec(
      phrase,
    );
    if (appositive) {
      properName = appositive[1];
      subject = appositive[2];
    } else {
      subject = phrase.split(SUBJECT_END)[0];
      if (
        /^[A-Z][\w'&.-]*(?:\s+[A-Z&][\w'&.-]*){0,4}$/.test(subject.trim()) &&
        !/^(?:A|An|The|My|Our)\b/.test(subject)
      ) {
        properName = subject.trim();
      }
    }
  }
  subject = cleanSubject(subject);
  if (!subject) subject = defaultSubject(kind);
  const name = truncate((quoted ?? called ?? properName ?? nameFromSubject(subject, kind)).trim(), 50);
  return { name, subject: truncate(subject, 80) };
}

function cleanSubject(subject: string): string {
  return subject
    .replace(ARTICLES, '')
    .replace(/\s+\b(?:in|en|à|in der|im|a)\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*\s*$/u, '')
    .replace(/\b(?:website|web site|site|web|webpage|landing page|homepage)\b/gi, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function defaultSubject(kind: SiteKind): string {
  return {
    portfolio: 'creative work',
    blog: 'everyday life',
    restaurant: 'neighbourhood restaurant',
    'small-business': 'local business',
    event: 'community event',
    personal: 'personal projects',
  }[kind];
}

function nameFromSubject(subject: string, kind: SiteKind): string {
  const core = titleCase(subject.replace(/^(?:about|on)\s+/i, ''));
  switch (kind) {
    case 'blog':
      return /\bblog\b/i.test(core) ? core : `The ${core} Blog`;
    case 'portfolio':
      return /\bportfolio\b/i.test(core) ? core : `${core} Portfolio`;
    case 'personal':
      return core;
    default:
      return core;
  }
}

function detectLocation(request: string): string | null {
  const match = /\b(?:in|en|à|im|in der)\s+([A-Z][\p{L}'-]+(?:\s+[A-Z][\p{L}'-]+){0,2})/u.exec(request);
  return match ? match[1] : null;
}

const MONTHS =
  'january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec';

function detectDate(request: string): string | null {
  const patterns = [
    new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:${MONTHS})\\b(?:\\s+\\d{4})?`, 'i'),
    new RegExp(`\\b(?:${MONTHS})\\s+\\d{1,2}(?:st|nd|rd|th)?\\b(?:,?\\s+\\d{4})?`, 'i'),
    /\b\d{4}-\d{2}-\d{2}\b/,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(request);
    if (match) return match[0];
  }
  return null;
}

/** A festival has a lineup and a wedding a wedding party, not speakers. */
function namePeoplePage(request: string, pages: PageSpec[]): void {
  const page = pages.find((candidate) => candidate.slug === 'speakers');
  if (!page) return;
  const lower = request.toLowerCase();
  if (/wedding|boda|mariage|hochzeit/.test(lower))
    Object.assign(page, { slug: 'wedding-party', title: 'Wedding party' });
  else if (/festival|concert|gig|music/.test(lower)) Object.assign(page, { slug: 'lineup', title: 'Lineup' });
}

function addRequestedPages(request: string, pages: PageSpec[]): void {
  const lower = request.toLowerCase();
  // Only words after "with"/"including"/"pages" ask for pages; "a blog about..." names the kind.
  const listing = /\b(?:with|including|include|plus|pages?:?|and a|and an)\b(.*)$/i.exec(lower)?.[1];
  if (!listing) return;
  for (const page of PAGE_CATALOG) {
    if (pages.some((existing) => existing.slug === page.slug || sameSections(existing, page.sections)))
      continue;
    if (
      page.words.some((word) => containsWord(listing, word)) &&
      /\b(page|section|blog|menu|gallery|faq|schedule|tickets|contact|about)\b/.test(listing)
    ) {
      pages.push(catalogPage(page.slug));
    }
  }
}

function sameSections(page: PageSpec, sections: string[]): boolean {
  return (
    page.slug !== 'index' &&
    page.sections.length === sections.length &&
    page.sections.every((section, index) => section.kind === sections[index])
  );
}

export function containsWord(text: string, word: string): boolean {
  // \b does not work around non-ASCII letters, so look for letters either side explicitly.
  return new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])`, 'iu').test(text);
}

function lastMention(lower: string): 'dark' | 'light' {
  return lower.lastIndexOf('dark') > lower.lastIndexOf('light') ? 'dark' : 'light';
}

function expandHex(value: string): string {
  const hex = value.slice(1);
  return hex.length === 3 ? `#${[...hex].map((digit) => digit + digit).join('')}` : value;
}

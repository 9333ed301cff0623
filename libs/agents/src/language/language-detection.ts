import { SITE_LANGUAGES } from '../site-spec.model';
import { SITE_WORDS } from './site-words';

// Scripts name a language outright; the site is then written in English (see SITE_LANGUAGES).
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

// Words that mark Latin-script languages the site cannot be written in, so they are not read as
// one it can (a Dutch request is not an English one with odd words).
const OTHER_LATIN_LANGUAGES: Record<string, string[]> = {
  nl: ['een', 'voor', 'met', 'het', 'mijn', 'onze', 'maak', 'van', 'bij', 'openingstijden'],
  pl: ['dla', 'strona', 'stronę', 'moja', 'mój', 'naszej', 'jest', 'oraz', 'godziny'],
  sv: ['för', 'och', 'med', 'min', 'vår', 'skapa', 'en', 'hemsida', 'öppettider'],
  tr: ['için', 'bir', 've', 'ile', 'sitesi', 'oluştur', 'benim'],
};

/**
 * The language of a request: its script, or the language whose function words it uses most.
 * A scorer of our own rather than a package: the maintained detectors (franc 6) are ESM-only and
 * do not load under jest here, and trigram models guess poorly on one short sentence, which is
 * what a request is; counting function words of the six site languages is reliable at that length.
 */
export function detectLanguage(text: string): string {
  for (const [pattern, language] of SCRIPTS) if (pattern.test(text)) return language;
  const words = text
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter(Boolean);
  if (words.length === 0 || !/\p{L}/u.test(text)) return 'und';
  const vocabularies: Array<[string, string[]]> = [
    ...SITE_LANGUAGES.map((language): [string, string[]] => [language, SITE_WORDS[language].stopWords]),
    ...Object.entries(OTHER_LATIN_LANGUAGES),
  ];
  let best = 'en';
  let bestScore = 0;
  for (const [language, vocabulary] of vocabularies) {
    const score = words.filter((word) => vocabulary.includes(word)).length;
    // English wins ties: shared words ("site", "de") should not flip an English request.
    if (score > bestScore || (score === bestScore && language === 'en')) {
      best = language;
      bestScore = score;
    }
  }
  return best;
}

import { SiteLanguage } from '../site-spec.model';
import { GERMAN } from './site-words.de';
import { ENGLISH } from './site-words.en';
import { SPANISH } from './site-words.es';
import { FRENCH } from './site-words.fr';
import { ITALIAN } from './site-words.it';
import { SiteWords } from './site-words.model';
import { PORTUGUESE } from './site-words.pt';

/** Every language a site can be written in, with its words. */
export const SITE_WORDS: Record<SiteLanguage, SiteWords> = {
  en: ENGLISH,
  es: SPANISH,
  fr: FRENCH,
  de: GERMAN,
  pt: PORTUGUESE,
  it: ITALIAN,
};

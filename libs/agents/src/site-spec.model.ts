/**
 * The kinds of site the planner knows how to lay out and the content rules know how to write.
 * `restaurant` covers food and drink (cafés, bakeries, food trucks, bars); `general` is the
 * fallback that describes the site in the request's own words.
 */
export const SITE_KINDS = [
  'portfolio',
  'blog',
  'restaurant',
  'small-business',
  'event',
  'personal',
  'wedding',
  'podcast',
  'trades',
  'fitness',
  'nonprofit',
  'general',
] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

export const TONES = ['professional', 'friendly', 'playful', 'elegant', 'bold'] as const;
export type Tone = (typeof TONES)[number];

/** Every section the builder can render; the content rules write copy for each. */
export const SECTION_KINDS = [
  'hero',
  'about',
  'gallery',
  'services',
  'features',
  'posts',
  'menu',
  'hours',
  'schedule',
  'people',
  'testimonials',
  'pricing',
  'faq',
  'contact',
  'text',
  'call-to-action',
  'rsvp',
  'travel',
  'episodes',
  'listen',
  'cv',
  'locations',
  'booking',
  'donate',
] as const;
export type SectionKind = (typeof SECTION_KINDS)[number];

export interface SectionSpec {
  /** Unique within its page; becomes the section's HTML id. */
  id: string;
  kind: SectionKind;
  /** A heading the planner already knows (a custom page's name); content may refine it. */
  heading?: string;
}

export interface PageSpec {
  /** `index` for the home page; otherwise lower-case words joined by hyphens. */
  slug: string;
  title: string;
  sections: SectionSpec[];
}

export interface ThemeHints {
  /** Null when neither the request nor an update said dark or light. */
  mode: 'dark' | 'light' | null;
  /** Colours named in the request, as #rrggbb, strongest first. */
  colors: string[];
}

/** What the planner decides and every later step reads: the site's shape, not its copy. */
export interface SiteSpec {
  kind: SiteKind;
  name: string;
  /** Who or what the site is about, in the request's words ("wildlife photographer"). */
  subject: string;
  tone: Tone;
  theme: ThemeHints;
  pages: PageSpec[];
  /** A place named in the request ("in Lisbon"), used for addresses and venues. */
  location: string | null;
  /** A date named in the request ("on 14 June"), for events. */
  eventDate: string | null;
  /**
   * Language the request was written in (ISO 639-1, or `und`). The site is written in it when it
   * is one of SITE_LANGUAGES, otherwise in English.
   */
  requestLanguage: string;
  /** The request that created the site, kept so content can stay specific to it. */
  request: string;
}

/** The languages a site can be written in; a request in any other gets an English site. */
export const SITE_LANGUAGES = ['en', 'es', 'fr', 'de', 'pt', 'it'] as const;
export type SiteLanguage = (typeof SITE_LANGUAGES)[number];

/** The language the site's copy, navigation and dates are written in. */
export function siteLanguageOf(spec: Pick<SiteSpec, 'requestLanguage'>): SiteLanguage {
  return isSiteLanguage(spec.requestLanguage) ? spec.requestLanguage : 'en';
}

export function isSiteLanguage(language: string): language is SiteLanguage {
  return (SITE_LANGUAGES as readonly string[]).includes(language);
}

/** The home page's slug. */
export const HOME_SLUG = 'index';

/** The file a page is rendered to. */
export function pageFileName(slug: string): string {
  return `${slug}.html`;
}

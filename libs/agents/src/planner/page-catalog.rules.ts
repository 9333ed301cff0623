import { DETAIL_SECTIONS, REQUESTED_DETAILS, RequestedDetail } from '../language/requested-detail.model';
import { SITE_WORDS } from '../language/site-words';
import { PageSpec, SITE_LANGUAGES, SectionKind, SiteKind, SiteLanguage } from '../site-spec.model';
import { slugify, titleCase } from '../text.format';

/** The pages each kind of site always has after its home page, whether asked for or not. */
const KIND_DETAILS: Record<SiteKind, RequestedDetail[]> = {
  portfolio: ['gallery', 'contact'],
  blog: ['blog', 'contact'],
  restaurant: ['menu', 'hours', 'contact'],
  'small-business': ['services', 'contact'],
  event: ['schedule', 'booking', 'contact'],
  personal: ['projects', 'contact'],
  wedding: ['schedule', 'rsvp', 'travel'],
  podcast: ['episodes', 'listen', 'contact'],
  trades: ['services', 'contact'],
  fitness: ['schedule', 'contact'],
  nonprofit: ['donate', 'contact'],
  general: ['contact'],
};

// Old page names a change request may still use ("add a tickets page").
const PAGE_ALIASES: Record<string, RequestedDetail> = {
  tickets: 'booking',
  visit: 'hours',
  work: 'projects',
  speakers: 'team',
  lineup: 'schedule',
  pricing: 'prices',
};

const MAX_PAGES = 12;

/** The pages of a new site: home, then the kind's pages and every detail asked for, contact last. */
export function plannedPages(kind: SiteKind, asked: RequestedDetail[], language: SiteLanguage): PageSpec[] {
  const details = [...new Set([...KIND_DETAILS[kind], ...asked])].sort(
    (first, second) => Number(first === 'contact') - Number(second === 'contact'),
  );
  // The home page asks for the owner's story unless an About page does; its hero holds the call
  // to action (a closing section with a second button to the same page said it twice).
  const homeSections: SectionKind[] = details.includes('about') ? ['hero'] : ['hero', 'about'];
  const home: PageSpec = {
    slug: 'index',
    title: SITE_WORDS[language].pageTitles.home,
    sections: homeSections.map((kind) => ({ id: kind, kind })),
  };
  return [home, ...details.slice(0, MAX_PAGES - 1).map((detail) => detailPage(detail, language))];
}

/** The page that holds one detail, titled in the site's language. */
export function detailPage(detail: RequestedDetail, language: SiteLanguage): PageSpec {
  const { slug, section } = DETAIL_SECTIONS[detail];
  return { slug, title: SITE_WORDS[language].pageTitles[detail], sections: [{ id: section, kind: section }] };
}

/** A detail's page by slug or alias, or a custom page with a text section headed by its name. */
export function catalogPage(slugOrName: string, language: SiteLanguage = 'en'): PageSpec {
  const detail = findCatalogPage(slugOrName);
  if (detail) return detailPage(detail, language);
  const title = titleCase(slugOrName.replace(/-/g, ' '));
  return { slug: slugify(slugOrName), title, sections: [{ id: 'main', kind: 'text', heading: title }] };
}

/** The detail a phrase names ("blog", "opening hours", "horario"), in any site language. */
export function findCatalogPage(phrase: string): RequestedDetail | undefined {
  const normalized = phrase.toLowerCase().trim();
  const bySlug = REQUESTED_DETAILS.find((detail) => DETAIL_SECTIONS[detail].slug === normalized);
  if (bySlug) return bySlug;
  if (PAGE_ALIASES[normalized]) return PAGE_ALIASES[normalized];
  const named = (detail: RequestedDetail) =>
    SITE_LANGUAGES.some((language) => SITE_WORDS[language].detailWords[detail].includes(normalized));
  return REQUESTED_DETAILS.find(named);
}

import { PageSpec, SectionKind, SiteKind } from '../site-spec.model';
import { slugify, titleCase } from '../text.format';

/** A page the planner can add by name, with the sections that make it useful. */
interface CatalogPage {
  slug: string;
  title: string;
  sections: SectionKind[];
  /** Words in a request that ask for this page (lower case, several languages). */
  words: string[];
}

/** Pages any site may ask for ("with a blog", "add a FAQ page"). */
export const PAGE_CATALOG: readonly CatalogPage[] = [
  {
    slug: 'about',
    title: 'About',
    sections: ['about', 'testimonials'],
    words: ['about', 'story', 'bio', 'biography', 'sobre', 'à propos', 'über'],
  },
  {
    slug: 'contact',
    title: 'Contact',
    sections: ['contact'],
    words: ['contact', 'contacto', 'kontakt', 'get in touch'],
  },
  {
    slug: 'gallery',
    title: 'Gallery',
    sections: ['gallery'],
    words: ['gallery', 'photos', 'galería', 'galerie'],
  },
  { slug: 'work', title: 'Work', sections: ['gallery'], words: ['work', 'portfolio page'] },
  { slug: 'projects', title: 'Projects', sections: ['gallery'], words: ['projects', 'project'] },
  { slug: 'blog', title: 'Blog', sections: ['posts'], words: ['blog', 'articles', 'news', 'journal'] },
  { slug: 'menu', title: 'Menu', sections: ['menu'], words: ['menu', 'menú', 'carte', 'speisekarte'] },
  {
    slug: 'services',
    title: 'Services',
    sections: ['services', 'pricing'],
    words: ['services', 'service', 'servicios'],
  },
  {
    slug: 'pricing',
    title: 'Pricing',
    sections: ['pricing', 'faq'],
    words: ['pricing', 'prices', 'rates', 'plans'],
  },
  { slug: 'faq', title: 'FAQ', sections: ['faq'], words: ['faq', 'questions', 'q&a'] },
  {
    slug: 'schedule',
    title: 'Schedule',
    sections: ['schedule'],
    words: ['schedule', 'programme', 'program', 'agenda', 'timetable'],
  },
  {
    slug: 'speakers',
    title: 'Speakers',
    sections: ['people'],
    words: ['speakers', 'lineup', 'line-up', 'performers'],
  },
  { slug: 'team', title: 'Team', sections: ['people'], words: ['team', 'staff', 'people'] },
  {
    slug: 'tickets',
    title: 'Tickets',
    sections: ['pricing', 'faq'],
    words: ['tickets', 'registration', 'register', 'rsvp'],
  },
  {
    slug: 'visit',
    title: 'Visit',
    sections: ['hours', 'contact'],
    words: ['visit', 'location', 'hours', 'opening hours', 'directions'],
  },
  {
    slug: 'testimonials',
    title: 'Testimonials',
    sections: ['testimonials'],
    words: ['testimonials', 'reviews'],
  },
];

/** The pages each kind of site starts with, home first. */
const KIND_PAGES: Record<SiteKind, { home: SectionKind[]; pages: string[] }> = {
  portfolio: {
    home: ['hero', 'gallery', 'testimonials', 'call-to-action'],
    pages: ['work', 'about', 'contact'],
  },
  blog: { home: ['hero', 'posts', 'call-to-action'], pages: ['blog', 'about', 'contact'] },
  restaurant: {
    home: ['hero', 'features', 'testimonials', 'call-to-action'],
    pages: ['menu', 'about', 'visit'],
  },
  'small-business': {
    home: ['hero', 'services', 'testimonials', 'call-to-action'],
    pages: ['services', 'about', 'contact'],
  },
  event: {
    home: ['hero', 'features', 'call-to-action'],
    pages: ['schedule', 'speakers', 'tickets', 'contact'],
  },
  personal: { home: ['hero', 'about', 'features'], pages: ['projects', 'contact'] },
};

/** The starting pages of a site of this kind. */
export function basePages(kind: SiteKind): PageSpec[] {
  const layout = KIND_PAGES[kind];
  const home: PageSpec = { slug: 'index', title: 'Home', sections: sectionsOf(layout.home) };
  return [home, ...layout.pages.map((slug) => catalogPage(slug))];
}

/** A page from the catalog by slug, or a custom page with a text section headed by its name. */
export function catalogPage(slugOrName: string): PageSpec {
  const known = PAGE_CATALOG.find((page) => page.slug === slugOrName);
  if (known) return { slug: known.slug, title: known.title, sections: sectionsOf(known.sections) };
  const title = titleCase(slugOrName.replace(/-/g, ' '));
  return { slug: slugify(slugOrName), title, sections: [{ id: 'main', kind: 'text', heading: title }] };
}

/** The catalog page a phrase names ("blog", "opening hours"), if any. */
export function findCatalogPage(phrase: string): CatalogPage | undefined {
  const normalized = phrase.toLowerCase().trim();
  return (
    PAGE_CATALOG.find((page) => page.slug === normalized || page.words.includes(normalized)) ??
    PAGE_CATALOG.find((page) =>
      page.words.some((word) => new RegExp(`\\b${escapeRegExp(word)}\\b`).test(normalized)),
    )
  );
}

function sectionsOf(kinds: SectionKind[]): PageSpec['sections'] {
  return kinds.map((kind) => ({ id: kind, kind }));
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

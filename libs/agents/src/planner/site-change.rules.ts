import { ValidationError } from '@app/agent-sdk';
import { DETAIL_SECTIONS } from '../language/requested-detail.model';
import { SECTION_KINDS, SectionKind, SiteSpec, TONES, Tone, siteLanguageOf } from '../site-spec.model';
import { slugify, truncate } from '../text.format';
import { catalogPage, findCatalogPage } from './page-catalog.rules';
import { COLOR_NAMES, detectTheme } from './site-request.rules';

/** The new spec and one sentence per change, for the workflow's result and log. */
export interface SiteChange {
  spec: SiteSpec;
  changes: string[];
}

const EXAMPLES =
  '"add a blog page", "remove the contact page", "make it light", "rename the site to Harbour Lights"';

/**
 * Applies an update request to the previous spec with rules: each clause ("add a blog page and
 * make it light") is one change. Throws a ValidationError when no clause is understood, so the
 * user learns what can be asked instead of getting an unchanged site.
 */
export function applySiteChangeByRules(previous: SiteSpec, request: string): SiteChange {
  const spec: SiteSpec = structuredClone(previous);
  const changes: string[] = [];
  // Split on clause boundaries, but keep a rename's new name (which may contain "and") whole.
  const clauses = splitClauses(request);
  for (const clause of clauses) {
    const change = applyClause(spec, clause);
    if (change) changes.push(change);
  }
  if (changes.length === 0) {
    throw new ValidationError(
      `could not understand the change "${truncate(request, 120)}"; try for example ${EXAMPLES}`,
    );
  }
  return { spec, changes };
}

function splitClauses(request: string): string[] {
  const renameAt = request.search(/\b(?:rename|call)\b/i);
  const head = renameAt >= 0 ? request.slice(0, renameAt) : request;
  const tail = renameAt >= 0 ? [request.slice(renameAt)] : [];
  return [...head.split(/[,;.]|\band then\b|\band\b|\bthen\b|\balso\b/i), ...tail]
    .map((clause) => clause.trim())
    .filter(Boolean);
}

function applyClause(spec: SiteSpec, clause: string): string | null {
  const lower = clause.toLowerCase();

  const rename =
    /\b(?:rename|call)\s+(?:the\s+site|the\s+website|it|the\s+name)?\s*(?:to|as)?\s+["“']?([^"”']+?)["”']?\s*[.!]?$/i.exec(
      clause,
    );
  const renameName = /\bchange\s+the\s+(?:site\s+)?name\s+to\s+["“']?([^"”']+?)["”']?\s*[.!]?$/i.exec(clause);
  const newName = (rename ?? renameName)?.[1]?.trim();
  if (newName) {
    const before = spec.name;
    spec.name = truncate(newName, 50);
    return `Renamed the site from "${before}" to "${spec.name}"`;
  }

  // A section request also ends in "page" ("add a FAQ section to the about page"): check it first.
  const addSection =
    /\badd\s+(?:a|an|some)?\s*(.+?)\s+section\b(?:\s+to\s+(?:the\s+)?(.+?)(?:\s+page)?)?$/i.exec(clause);
  if (addSection) return addSectionChange(spec, addSection[1], addSection[2]);

  const addPage =
    /\b(?:add|create|include|make)\s+(?:a|an|the|another|new)?\s*(?:new\s+)?(.+?)\s+page\b/i.exec(clause) ??
    /\badd\s+a\s+page\s+(?:called|named|for)\s+["“']?([^"”']+?)["”']?$/i.exec(clause);
  if (addPage) return addPageChange(spec, addPage[1]);

  const removePage = /\b(?:remove|delete|drop|get rid of)\s+(?:the\s+)?(.+?)\s+page\b/i.exec(clause);
  if (removePage) return removePageChange(spec, removePage[1]);

  const tone = TONES.find((candidate) => new RegExp(`\\b(?:more\\s+)?${candidate}\\b`).test(lower));
  if (tone && /\b(tone|voice|more|sound|make|feel|copy)\b/.test(lower)) return toneChange(spec, tone);

  if (/\b(?:colou?r|accent|primary|palette)\b/.test(lower) || /#[0-9a-f]{3,6}\b/i.test(lower)) {
    const color = colorIn(lower);
    if (color) {
      spec.theme.colors = [color, ...spec.theme.colors.filter((existing) => existing !== color)];
      return `Changed the main colour to ${color}`;
    }
  }

  const theme = detectTheme(clause).mode;
  if (theme && /\b(make|switch|use|change|turn|go|theme|mode)\b/.test(lower)) {
    const before = spec.theme.mode;
    spec.theme.mode = theme;
    return before === theme ? `Kept the ${theme} theme` : `Switched to a ${theme} theme`;
  }
  return null;
}

function addPageChange(spec: SiteSpec, phrase: string): string {
  const name = phrase
    .replace(/^(?:called|named)\s+/i, '')
    .replace(/["“”']/g, '')
    .trim();
  const page = catalogPage(name, siteLanguageOf(spec));
  if (!page.slug)
    throw new ValidationError(`cannot make a page called "${name}": use letters or digits in its name`);
  const existing = spec.pages.find((candidate) => candidate.slug === page.slug);
  if (existing) return `Kept the existing ${existing.title} page`;
  if (spec.pages.length >= 12)
    throw new ValidationError('a site can have at most 12 pages; remove one first');
  spec.pages.push(page);
  return `Added a ${page.title} page`;
}

function removePageChange(spec: SiteSpec, phrase: string): string {
  const name = phrase.trim().toLowerCase();
  const detail = findCatalogPage(name);
  const slug = detail ? DETAIL_SECTIONS[detail].slug : slugify(name);
  const page = spec.pages.find(
    (candidate) => candidate.slug === slug || candidate.title.toLowerCase() === name,
  );
  if (!page) {
    const titles = spec.pages.map((candidate) => candidate.title).join(', ');
    throw new ValidationError(`the site has no "${phrase.trim()}" page to remove; its pages are: ${titles}`);
  }
  if (page.slug === 'index') throw new ValidationError('the home page cannot be removed');
  spec.pages = spec.pages.filter((candidate) => candidate !== page);
  return `Removed the ${page.title} page`;
}

function addSectionChange(spec: SiteSpec, sectionPhrase: string, pagePhrase: string | undefined): string {
  const kind = sectionKindOf(sectionPhrase);
  if (!kind) {
    throw new ValidationError(
      `unknown section "${sectionPhrase}"; known sections: ${SECTION_KINDS.join(', ')}`,
    );
  }
  const pageName = (pagePhrase ?? 'home').toLowerCase().trim();
  const page = spec.pages.find(
    (candidate) =>
      candidate.title.toLowerCase() === pageName ||
      candidate.slug === pageName ||
      (candidate.slug === 'index' && /^(home|homepage|front|main)$/.test(pageName)),
  );
  if (!page) throw new ValidationError(`the site has no "${pageName}" page to add a section to`);
  let id: string = kind;
  for (let suffix = 2; page.sections.some((section) => section.id === id); suffix++) id = `${kind}-${suffix}`;
  // A call to action reads best last; anything else goes before a closing call to action.
  const closing = page.sections.findIndex((section) => section.kind === 'call-to-action');
  const at = kind !== 'call-to-action' && closing >= 0 ? closing : page.sections.length;
  page.sections.splice(at, 0, { id, kind });
  return `Added a ${kind} section to the ${page.title} page`;
}

function sectionKindOf(phrase: string): SectionKind | null {
  const lower = phrase.toLowerCase().trim();
  const aliases: Record<string, SectionKind> = {
    reviews: 'testimonials',
    review: 'testimonials',
    testimonial: 'testimonials',
    questions: 'faq',
    prices: 'pricing',
    team: 'people',
    speakers: 'people',
    photos: 'gallery',
    'opening hours': 'hours',
    articles: 'posts',
    blog: 'posts',
    'call to action': 'call-to-action',
    cta: 'call-to-action',
    intro: 'about',
    welcome: 'hero',
  };
  if (aliases[lower]) return aliases[lower];
  return SECTION_KINDS.find((kind) => kind === lower || kind.replace(/-/g, ' ') === lower) ?? null;
}

function toneChange(spec: SiteSpec, tone: Tone): string {
  spec.tone = tone;
  return `Changed the tone to ${tone}`;
}

function colorIn(lower: string): string | null {
  const hex = /#(?:[0-9a-f]{6}|[0-9a-f]{3})\b/.exec(lower)?.[0];
  if (hex) return hex.length === 4 ? `#${[...hex.slice(1)].map((digit) => digit + digit).join('')}` : hex;
  const name = Object.keys(COLOR_NAMES).find((candidate) => new RegExp(`\\b${candidate}\\b`).test(lower));
  return name ? COLOR_NAMES[name] : null;
}

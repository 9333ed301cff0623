import { SECTION_KINDS, SITE_KINDS, SiteSpec, TONES } from '../site-spec.model';
import { slugify, truncate } from '../text.format';

const HEX = /^#[0-9a-f]{6}$/i;
const MAX_PAGES = 12;
const MAX_SECTIONS = 10;

/**
 * Checks a spec that came from outside the rules (a language model's JSON) and returns it in
 * canonical form, or the first reason it cannot be used. `request` and `requestLanguage` are
 * taken from the caller, never from the model.
 */
export function validateSiteSpec(
  value: unknown,
  known: { request: string; requestLanguage: string },
): { spec: SiteSpec } | { problem: string } {
  if (!isRecord(value)) return { problem: 'spec is not an object' };
  const { kind, name, subject, tone, theme, pages } = value;
  if (!SITE_KINDS.includes(kind as never))
    return { problem: `kind ${JSON.stringify(kind)} is not one of ${SITE_KINDS.join(', ')}` };
  if (typeof name !== 'string' || name.trim() === '') return { problem: 'name is missing' };
  if (typeof subject !== 'string' || subject.trim() === '') return { problem: 'subject is missing' };
  if (!TONES.includes(tone as never))
    return { problem: `tone ${JSON.stringify(tone)} is not one of ${TONES.join(', ')}` };
  if (!isRecord(theme)) return { problem: 'theme is missing' };
  if (theme.mode !== 'dark' && theme.mode !== 'light' && theme.mode !== null)
    return { problem: 'theme.mode must be dark, light or null' };
  if (
    !Array.isArray(theme.colors) ||
    !theme.colors.every((color) => typeof color === 'string' && HEX.test(color))
  ) {
    return { problem: 'theme.colors must be #rrggbb strings' };
  }
  if (!Array.isArray(pages) || pages.length === 0 || pages.length > MAX_PAGES)
    return { problem: `pages must hold 1 to ${MAX_PAGES} pages` };

  const slugs = new Set<string>();
  const canonicalPages: SiteSpec['pages'] = [];
  for (const [index, page] of pages.entries()) {
    if (!isRecord(page) || typeof page.title !== 'string' || typeof page.slug !== 'string')
      return { problem: `page ${index} needs a slug and a title` };
    const slug = index === 0 ? 'index' : slugify(page.slug);
    if (!slug || slugs.has(slug))
      return { problem: `page slug ${JSON.stringify(page.slug)} is empty or repeated` };
    slugs.add(slug);
    if (!Array.isArray(page.sections) || page.sections.length === 0 || page.sections.length > MAX_SECTIONS) {
      return { problem: `page ${slug} must hold 1 to ${MAX_SECTIONS} sections` };
    }
    const ids = new Set<string>();
    const sections: SiteSpec['pages'][number]['sections'] = [];
    for (const section of page.sections) {
      if (!isRecord(section) || !SECTION_KINDS.includes(section.kind as never))
        return { problem: `page ${slug} has a section of unknown kind` };
      const id =
        slugify(typeof section.id === 'string' ? section.id : String(section.kind)) || String(section.kind);
      if (ids.has(id)) return { problem: `page ${slug} repeats section id ${id}` };
      ids.add(id);
      sections.push({
        id,
        kind: section.kind as SiteSpec['pages'][number]['sections'][number]['kind'],
        ...(typeof section.heading === 'string' && section.heading.trim()
          ? { heading: truncate(section.heading.trim(), 80) }
          : {}),
      });
    }
    canonicalPages.push({ slug, title: truncate(page.title.trim() || slug, 40), sections });
  }

  return {
    spec: {
      kind: kind as SiteSpec['kind'],
      name: truncate(name.trim(), 50),
      subject: truncate(subject.trim(), 80),
      tone: tone as SiteSpec['tone'],
      theme: { mode: theme.mode, colors: (theme.colors as string[]).map((color) => color.toLowerCase()) },
      pages: canonicalPages,
      location:
        typeof value.location === 'string' && value.location.trim()
          ? truncate(value.location.trim(), 60)
          : null,
      eventDate:
        typeof value.eventDate === 'string' && value.eventDate.trim()
          ? truncate(value.eventDate.trim(), 40)
          : null,
      requestLanguage: known.requestLanguage,
      request: known.request,
    },
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

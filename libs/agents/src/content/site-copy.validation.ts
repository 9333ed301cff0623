import { isRecord } from '../planner/site-spec.validation';
import { SiteSpec } from '../site-spec.model';
import { truncate } from '../text.format';
import { CopyItem, PageCopy, SectionCopy, SiteCopy } from './site-copy.model';

const MAX_TEXT = 600;
const MAX_ITEMS = 12;

/**
 * Checks copy that came from a language model against the spec: every page and section must be
 * written, every string short enough, every call to action must point at a page of the site.
 */
export function validateSiteCopy(value: unknown, spec: SiteSpec): { copy: SiteCopy } | { problem: string } {
  if (!isRecord(value)) return { problem: 'copy is not an object' };
  if (typeof value.tagline !== 'string' || typeof value.description !== 'string')
    return { problem: 'tagline or description is missing' };
  if (
    !isRecord(value.contact) ||
    !['email', 'phone', 'area'].every(
      (key) => typeof (value.contact as Record<string, unknown>)[key] === 'string',
    )
  ) {
    return { problem: 'contact needs email, phone and area' };
  }
  if (!isRecord(value.pages)) return { problem: 'pages is missing' };
  const slugs = new Set(spec.pages.map((page) => page.slug));
  const pages: Record<string, PageCopy> = {};
  for (const page of spec.pages) {
    const pageCopy = value.pages[page.slug];
    if (
      !isRecord(pageCopy) ||
      typeof pageCopy.heading !== 'string' ||
      typeof pageCopy.description !== 'string' ||
      !isRecord(pageCopy.sections)
    ) {
      return { problem: `page ${page.slug} is missing or incomplete` };
    }
    const sections: Record<string, SectionCopy> = {};
    for (const section of page.sections) {
      const sectionCopy = pageCopy.sections[section.id];
      const checked = checkSection(sectionCopy, slugs);
      if (typeof checked === 'string') return { problem: `section ${page.slug}#${section.id}: ${checked}` };
      sections[section.id] = checked;
    }
    pages[page.slug] = {
      heading: truncate(pageCopy.heading, 120),
      description: truncate(pageCopy.description, 160),
      sections,
    };
  }
  const contact = value.contact as Record<string, string>;
  return {
    copy: {
      tagline: truncate(value.tagline, 200),
      description: truncate(value.description, 160),
      contact: {
        email: truncate(contact.email, 80),
        phone: truncate(contact.phone, 40),
        area: truncate(contact.area, 80),
      },
      pages,
    },
  };
}

function checkSection(value: unknown, slugs: Set<string>): SectionCopy | string {
  if (!isRecord(value) || typeof value.heading !== 'string' || value.heading.trim() === '')
    return 'heading is missing';
  if (
    !Array.isArray(value.paragraphs) ||
    !value.paragraphs.every((paragraph) => typeof paragraph === 'string')
  )
    return 'paragraphs must be strings';
  const items: CopyItem[] = [];
  for (const item of Array.isArray(value.items) ? value.items.slice(0, MAX_ITEMS) : []) {
    if (!isRecord(item) || typeof item.title !== 'string' || typeof item.text !== 'string')
      return 'each item needs a title and a text';
    items.push({
      title: truncate(item.title, 120),
      text: truncate(item.text, MAX_TEXT),
      ...(typeof item.detail === 'string' ? { detail: truncate(item.detail, 40) } : {}),
      ...(typeof item.imageAlt === 'string' && item.imageAlt.trim()
        ? { imageAlt: truncate(item.imageAlt, 150) }
        : {}),
    });
  }
  const cta = value.callToAction;
  const callToAction =
    isRecord(cta) &&
    typeof cta.label === 'string' &&
    typeof cta.targetSlug === 'string' &&
    slugs.has(cta.targetSlug)
      ? { label: truncate(cta.label, 40), targetSlug: cta.targetSlug }
      : null;
  return {
    heading: truncate(value.heading, 120),
    paragraphs: value.paragraphs.slice(0, 6).map((paragraph: string) => truncate(paragraph, MAX_TEXT)),
    items,
    callToAction,
    ...(typeof value.toFillIn === 'string' && value.toFillIn.trim()
      ? { toFillIn: truncate(value.toFillIn.trim(), 200) }
      : {}),
  };
}

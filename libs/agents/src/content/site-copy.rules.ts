import { TemplateSlots, fillTemplate } from '../language/copy-template';
import { formatEventDate } from '../language/event-date';
import { SITE_WORDS } from '../language/site-words';
import { SiteWords } from '../language/site-words.model';
import { PageSpec, SectionSpec, SiteKind, SiteSpec, siteLanguageOf } from '../site-spec.model';
import { saysTheSame, truncate } from '../text.format';
import { PageCopy, SectionCopy, SiteCopy } from './site-copy.model';

// Where a call to action leads, most useful first: a wedding's guests reply, a podcast's listen.
const CALL_TO_ACTION_TARGETS: Record<SiteKind, string[]> = {
  portfolio: ['contact'],
  blog: ['contact'],
  restaurant: ['booking', 'hours', 'locations', 'contact'],
  'small-business': ['booking', 'contact'],
  event: ['booking', 'rsvp', 'contact'],
  personal: ['contact'],
  wedding: ['rsvp', 'contact'],
  podcast: ['listen', 'episodes', 'contact'],
  trades: ['booking', 'contact'],
  fitness: ['booking', 'schedule', 'contact'],
  nonprofit: ['donate', 'contact'],
  general: ['contact'],
};

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;
const PHONE = /\+?\d[\d ()-]{6,}\d/;

/**
 * Writes every page and section of a spec in the site's language from the language tables: the
 * offline content writer, and the fallback when a language model's answer is unusable. It says
 * only what the request said; every fact the request did not give is a visible placeholder.
 */
export function writeCopyByRules(spec: SiteSpec): SiteCopy {
  const language = siteLanguageOf(spec);
  const words = SITE_WORDS[language];
  const slots: TemplateSlots = {
    // "Bike Repair Shop: bike repair shop in Porto" says nothing twice.
    name: spec.name.toLowerCase() === spec.subject.toLowerCase() ? '' : spec.name,
    subject: spec.subject,
    // A subject in the request's own words may already name the place ("bakkerij in Utrecht").
    place: spec.location && !spec.subject.includes(spec.location) ? spec.location : '',
    date: spec.eventDate ? formatEventDate(spec.eventDate, language) : '',
  };
  const tagline = fillTemplate(words.tagline, slots);
  const writer = new CopyWriter(spec, words, slots, tagline);
  const pages: Record<string, PageCopy> = {};
  for (const page of spec.pages) pages[page.slug] = writer.page(page);
  return {
    tagline,
    description: truncate(`${spec.name}: ${tagline}`, 160),
    contact: {
      email: EMAIL.exec(spec.request)?.[0] ?? '',
      phone: PHONE.exec(spec.request)?.[0].trim() ?? '',
      area: spec.location ?? '',
    },
    pages,
  };
}

class CopyWriter {
  private readonly callToActionSlug: string | null;

  constructor(
    private readonly spec: SiteSpec,
    private readonly words: SiteWords,
    private readonly slots: TemplateSlots,
    private readonly tagline: string,
  ) {
    const slugs = spec.pages.map((page) => page.slug);
    this.callToActionSlug =
      CALL_TO_ACTION_TARGETS[spec.kind].find((slug) => slugs.includes(slug)) ??
      slugs.find((slug) => slug !== 'index') ??
      null;
  }

  page(page: PageSpec): PageCopy {
    const sections: Record<string, SectionCopy> = {};
    for (const section of page.sections) sections[section.id] = this.section(section, page);
    const first = page.sections[0];
    // A page that opens with its hero, or holds one section, uses that section's heading as its h1.
    const heading =
      first && (first.kind === 'hero' || page.sections.length === 1)
        ? sections[first.id].heading
        : page.title;
    const description =
      page.slug === 'index'
        ? `${this.spec.name}: ${this.tagline}`
        : `${page.title} — ${this.spec.name}. ${this.tagline}`;
    return { heading, description: truncate(description, 160), sections };
  }

  private section(section: SectionSpec, page: PageSpec): SectionCopy {
    const kindWords = this.words.kinds[this.spec.kind];
    const sectionWords = this.words.sections[section.kind];
    switch (section.kind) {
      case 'hero':
        // A tagline that only repeats the name (no place, no date) would say it twice in a row.
        return this.copy(
          section,
          this.spec.name,
          saysTheSame(this.tagline, this.spec.name)
            ? [kindWords.invitation]
            : [this.tagline, kindWords.invitation],
          this.callToAction(page),
        );
      case 'call-to-action':
        return this.copy(section, kindWords.callToActionHeading, [], this.callToAction(page));
      case 'text':
        return this.copy(section, page.title, [], null, sectionWords.toFillIn);
      case 'contact':
        return this.copy(
          section,
          sectionWords.heading,
          [],
          null,
          EMAIL.test(this.spec.request) ? undefined : sectionWords.toFillIn,
        );
      default: {
        const intro = fillTemplate(sectionWords.intro, this.slots);
        return this.copy(section, sectionWords.heading, intro ? [intro] : [], null, sectionWords.toFillIn);
      }
    }
  }

  private copy(
    section: SectionSpec,
    heading: string,
    paragraphs: string[],
    callToAction: SectionCopy['callToAction'],
    toFillIn?: string,
  ): SectionCopy {
    return {
      heading: section.heading ?? heading,
      paragraphs,
      items: [],
      callToAction,
      ...(toFillIn ? { toFillIn } : {}),
    };
  }

  private callToAction(page: PageSpec): SectionCopy['callToAction'] {
    if (!this.callToActionSlug || this.callToActionSlug === page.slug) return null;
    return { label: this.words.kinds[this.spec.kind].callToActionLabel, targetSlug: this.callToActionSlug };
  }
}

import { CopyItem, PageCopy, SectionCopy, SiteCopy } from '../content/site-copy.model';
import { DesignSystem } from '../design/design-system.model';
import { SITE_WORDS } from '../language/site-words';
import { SiteWords } from '../language/site-words.model';
import {
  PageSpec,
  SectionSpec,
  SiteLanguage,
  SiteSpec,
  pageFileName,
  siteLanguageOf,
} from '../site-spec.model';
import { escapeHtml, saysTheSame, slugify, truncate } from '../text.format';
import { renderFavicon, renderIllustration } from './site-illustration';
import { renderStylesheet } from './site-stylesheet';
import type { SiteRepairs } from './site-repairs';

/** The builder's output: every file of the site by relative path, and its pages. */
export interface BuiltSite {
  files: Record<string, string>;
  /** Page files, home (`index.html`) first. */
  pages: string[];
  /** Set when an audit sent the site back: what the builder fixed of its findings, and what not. */
  repairs?: SiteRepairs;
}

const STYLESHEET = 'styles.css';
const FAVICON = 'favicon.svg';

/** Renders a site as static files: one semantic HTML page per spec page, a stylesheet, images. */
export function renderSite(spec: SiteSpec, copy: SiteCopy, design: DesignSystem): BuiltSite {
  const files: Record<string, string> = {
    [STYLESHEET]: renderStylesheet(design),
    [FAVICON]: renderFavicon(spec.name, design.palette),
  };
  const pages: string[] = [];
  for (const page of spec.pages) {
    const pageCopy = copy.pages[page.slug];
    if (!pageCopy) throw new Error(`no copy was written for page ${page.slug}`);
    const renderer = new PageRenderer(spec, copy, design, page, pageCopy, files);
    files[pageFileName(page.slug)] = renderer.render();
    pages.push(pageFileName(page.slug));
  }
  return { files, pages };
}

class PageRenderer {
  private readonly slugs: Set<string>;
  private readonly language: SiteLanguage;
  private readonly words: SiteWords;

  constructor(
    private readonly spec: SiteSpec,
    private readonly copy: SiteCopy,
    private readonly design: DesignSystem,
    private readonly page: PageSpec,
    private readonly pageCopy: PageCopy,
    private readonly files: Record<string, string>,
  ) {
    this.slugs = new Set(spec.pages.map((candidate) => candidate.slug));
    this.language = siteLanguageOf(spec);
    this.words = SITE_WORDS[this.language];
  }

  render(): string {
    const { spec, page, pageCopy } = this;
    const isHome = page.slug === 'index';
    const homeTitle = `${spec.name} — ${this.copy.tagline.replace(/[.!]$/, '')}`;
    // Search results cut titles near 60 characters; a cut-off tagline reads worse than none.
    const title = isHome ? (homeTitle.length <= 65 ? homeTitle : spec.name) : `${page.title} | ${spec.name}`;
    // A hero, or a page's only section, carries the page's h1 itself: no "Menu" h1 over a "Menu" h2.
    const firstSectionIsHeading = page.sections[0]?.kind === 'hero' || page.sections.length === 1;
    const body = [
      firstSectionIsHeading
        ? ''
        : `<header class="page-header container">\n<h1>${escapeHtml(pageCopy.heading)}</h1>\n</header>`,
      ...page.sections.map((section, index) => this.section(section, index === 0 && firstSectionIsHeading)),
    ].filter(Boolean);

    return `<!DOCTYPE html>
<html lang="${this.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(truncate(title, 65))}</title>
<meta name="description" content="${escapeHtml(pageCopy.description)}">
<meta property="og:title" content="${escapeHtml(truncate(title, 90))}">
<meta property="og:description" content="${escapeHtml(pageCopy.description)}">
<meta property="og:type" content="website">
<meta property="og:site_name" content="${escapeHtml(spec.name)}">
<meta name="theme-color" content="${this.design.palette.surface}">
<link rel="icon" href="${FAVICON}" type="image/svg+xml">
<link rel="stylesheet" href="${STYLESHEET}">
</head>
<body>
<a class="skip-link" href="#main">${escapeHtml(this.words.chrome.skipLink)}</a>
<header class="site-header">
<div class="container header-inner">
<a class="brand" href="${pageFileName('index')}">${escapeHtml(spec.name)}</a>
${this.navigation()}
</div>
</header>
<main id="main">
${body.join('\n')}
</main>
<footer class="site-footer">
<div class="container">
<p>© ${new Date().getFullYear()} ${escapeHtml(spec.name)}.${saysTheSame(this.copy.tagline, spec.name) ? '' : ` ${escapeHtml(this.copy.tagline)}`}</p>
</div>
</footer>
</body>
</html>
`;
  }

  private navigation(): string {
    const links = this.spec.pages.map((page) => {
      const current = page.slug === this.page.slug ? ' aria-current="page"' : '';
      return `<li><a href="${pageFileName(page.slug)}"${current}>${escapeHtml(page.title)}</a></li>`;
    });
    return `<nav class="site-nav" aria-label="${escapeHtml(this.words.chrome.navigationLabel)}">\n<ul>\n${links.join('\n')}\n</ul>\n</nav>`;
  }

  private section(section: SectionSpec, isPageHero: boolean): string {
    const copy = this.pageCopy.sections[section.id];
    if (!copy) throw new Error(`no copy was written for section ${this.page.slug}#${section.id}`);
    const headingId = `${section.id}-heading`;
    const heading = isPageHero
      ? `<h1 id="${headingId}">${escapeHtml(this.pageCopy.heading)}</h1>`
      : `<h2 id="${headingId}">${escapeHtml(copy.heading)}</h2>`;
    const paragraphs = copy.paragraphs.map(
      (paragraph, index) =>
        `<p${section.kind === 'hero' && index === 0 ? ' class="lead"' : ''}>${escapeHtml(paragraph)}</p>`,
    );
    const parts = [
      heading,
      ...paragraphs,
      this.items(section, copy),
      this.placeholder(copy),
      this.callToAction(copy),
    ].filter(Boolean);
    const className = section.kind === 'hero' ? ' class="hero"' : '';
    return `<section id="${escapeHtml(section.id)}"${className} aria-labelledby="${headingId}">\n<div class="container">\n${parts.join('\n')}\n</div>\n</section>`;
  }

  private items(section: SectionSpec, copy: SectionCopy): string {
    if (section.kind === 'contact') return this.contact();
    if (copy.items.length === 0) return '';
    switch (section.kind) {
      case 'gallery':
        return `<ul class="gallery">\n${copy.items.map((item, index) => this.figure(section, item, index)).join('\n')}\n</ul>`;
      case 'hours':
        return `<table class="hours">\n<caption>${escapeHtml(copy.heading)}</caption>\n<tbody>\n${copy.items
          .map(
            (item) =>
              `<tr><th scope="row">${escapeHtml(item.title)}</th><td>${escapeHtml(item.text)}</td></tr>`,
          )
          .join('\n')}\n</tbody>\n</table>`;
      case 'testimonials':
        return `<ul class="testimonials">\n${copy.items
          .map(
            (item) =>
              `<li><figure><blockquote><p>${escapeHtml(item.text)}</p></blockquote><figcaption>${escapeHtml(item.title)}</figcaption></figure></li>`,
          )
          .join('\n')}\n</ul>`;
      case 'schedule':
        return `<ol class="schedule">\n${copy.items.map((item) => this.card(item)).join('\n')}\n</ol>`;
      case 'menu':
        return `<ul class="menu-list">\n${copy.items.map((item) => this.card(item)).join('\n')}\n</ul>`;
      default:
        return `<ul class="cards">\n${copy.items.map((item) => this.card(item)).join('\n')}\n</ul>`;
    }
  }

  private card(item: CopyItem): string {
    const detail = item.detail ? `<p class="detail">${escapeHtml(item.detail)}</p>` : '';
    return `<li>\n<h3>${escapeHtml(item.title)}</h3>\n${detail}<p>${escapeHtml(item.text)}</p>\n</li>`;
  }

  private figure(section: SectionSpec, item: CopyItem, index: number): string {
    const path = `images/${this.page.slug}-${slugify(section.id, 20)}-${index + 1}.svg`;
    this.files[path] = renderIllustration(item.title, this.design.palette);
    const alt = item.imageAlt ?? `Illustration for “${item.title}”`;
    return `<li>\n<figure>\n<img src="${path}" alt="${escapeHtml(alt)}" width="600" height="400" loading="lazy">\n<figcaption><strong>${escapeHtml(item.title)}</strong> ${escapeHtml(item.text)}</figcaption>\n</figure>\n</li>`;
  }

  /** Only the details the request gave: a missing one is the section's placeholder, not a guess. */
  private contact(): string {
    const { email, phone, area } = this.copy.contact;
    const { chrome } = this.words;
    const telephone = phone.replace(/[^+\d]/g, '');
    const lines: string[] = [];
    if (email)
      lines.push(
        `<p>${escapeHtml(chrome.email)}: <a href="mailto:${escapeHtml(email)}">${escapeHtml(email)}</a></p>`,
      );
    // Non-breaking spaces keep a phone number on one line.
    if (telephone)
      lines.push(
        `<p>${escapeHtml(chrome.phone)}: <a href="tel:${escapeHtml(telephone)}">${escapeHtml(phone).replace(/ /g, '&nbsp;')}</a></p>`,
      );
    if (area) lines.push(`<p>${escapeHtml(area)}</p>`);
    return lines.length > 0 ? `<address>\n${lines.join('\n')}\n</address>` : '';
  }

  /** What the owner still has to add, marked so that nobody reads it as the site's content. */
  private placeholder(copy: SectionCopy): string {
    if (!copy.toFillIn) return '';
    return `<p class="to-fill-in"><strong>${escapeHtml(this.words.chrome.toFillIn)}</strong> ${escapeHtml(copy.toFillIn)}</p>`;
  }

  private callToAction(copy: SectionCopy): string {
    const target = copy.callToAction;
    // Content may point at a page an update has since removed; a dead link is worse than none.
    if (!target || !this.slugs.has(target.targetSlug) || target.targetSlug === this.page.slug) return '';
    return `<p><a class="button" href="${pageFileName(target.targetSlug)}">${escapeHtml(target.label)}</a></p>`;
  }
}

import { AuditFinding } from '../audit/audit-report.model';

/** What the builder did with an audit's findings when the audit sent the site back. */
export interface SiteRepairs {
  /** One line per fix, `page: what` (a rule found on several pages is fixed on each). */
  repaired: string[];
  /** The rules it found no fix for (a size budget, invalid nesting...), each once. */
  unrepaired: string[];
}

/**
 * The fixes a builder can make from an audit's findings, each for the page a finding names,
 * applied to the pages it rendered: text edits on HTML the builder wrote itself (its shape is
 * known), so no DOM parser runs on the event loop. Each fix repairs its rule wherever it occurs
 * on that page, as the audit lists at most a few nodes per rule.
 */
const FIXES: Record<string, (html: string, finding: AuditFinding) => string> = {
  'seo/img-alt': addMissingAlt,
  'axe/image-alt': addMissingAlt,
  'seo/title': addTitle,
  'axe/document-title': addTitle,
  'html-validate/element-required-content': (html, finding) =>
    finding.message.includes('<title>') ? addTitle(html) : html,
  'seo/meta-description': (html) =>
    addToHead(
      html,
      /<meta\s+name="description"/i,
      () => `<meta name="description" content="${attribute(firstText(html, 'p') || titleOf(html))}">`,
    ),
  'seo/viewport': (html) =>
    addToHead(
      html,
      /<meta\s+name="viewport"/i,
      () => '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ),
  'axe/html-has-lang': (html) =>
    /<html\b[^>]*\blang=/i.test(html) ? html : html.replace(/<html\b/i, '<html lang="en"'),
  'seo/h1-count': oneH1,
  'axe/page-has-heading-one': oneH1,
  'seo/heading-order': headingsInOrder,
  'axe/heading-order': headingsInOrder,
  'seo/broken-link': unlinkBroken,
  'seo/broken-resource': dropBrokenResource,
};

/** Applies the fixes the findings call for; returns the files (changed copies) and what it did. */
export function repairSite(
  files: Readonly<Record<string, string>>,
  findings: readonly AuditFinding[],
): { files: Record<string, string>; repairs: SiteRepairs } {
  const repaired = { ...files };
  const done: string[] = [];
  const unrepaired = new Set<string>();
  for (const finding of findings) {
    const fix = FIXES[finding.rule];
    const pages = finding.page === '*' ? Object.keys(repaired).filter(isPage) : [finding.page];
    if (!fix || !pages.every((page) => page in repaired)) {
      unrepaired.add(finding.rule);
      continue;
    }
    for (const page of pages) {
      const after = fix(repaired[page], finding);
      if (after === repaired[page]) continue;
      repaired[page] = after;
      done.push(`${page}: ${finding.rule}`);
    }
  }
  return { files: repaired, repairs: { repaired: [...new Set(done)], unrepaired: [...unrepaired] } };
}

/** Reads an audit's feedback (`context.feedback.feedback`) as findings, or none. */
export function findingsOf(feedback: unknown): AuditFinding[] {
  const findings = (feedback as { findings?: unknown } | null)?.findings;
  if (!Array.isArray(findings)) return [];
  return findings.filter(
    (finding): finding is AuditFinding =>
      typeof (finding as AuditFinding | null)?.rule === 'string' &&
      typeof (finding as AuditFinding).page === 'string' &&
      typeof (finding as AuditFinding).message === 'string',
  );
}

const isPage = (file: string) => file.endsWith('.html');

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const attribute = (text: string) => escapeHtml(text.replace(/\s+/g, ' ').trim().slice(0, 155));
const stripTags = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
const firstText = (html: string, tag: string) =>
  stripTags(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'i').exec(html)?.[1] ?? '');
const titleOf = (html: string) => firstText(html, 'h1') || firstText(html, 'h2') || 'Home';

function addToHead(html: string, present: RegExp, element: () => string): string {
  if (present.test(html)) return html;
  return html.replace(/<head\b[^>]*>/i, (head) => `${head}\n${element()}`);
}

/** An image with no alt gets one from its file name ("team-photo.jpg" → "team photo"). */
function addMissingAlt(html: string): string {
  return html.replace(/<img\b(?![^>]*\balt=)([^>]*)>/gi, (_, rest: string) => {
    const source = /\bsrc="([^"]*)"/i.exec(rest)?.[1] ?? '';
    const name =
      source
        .split('/')
        .pop()
        ?.replace(/\.[a-z0-9]+$/i, '')
        .replace(/[-_]+/g, ' ')
        .trim() ?? '';
    return `<img alt="${attribute(name)}"${rest}>`;
  });
}

/** An empty or missing title is the page's main heading. */
function addTitle(html: string): string {
  const title = `<title>${escapeHtml(titleOf(html))}</title>`;
  if (/<title\b[^>]*>\s*<\/title>/i.test(html)) return html.replace(/<title\b[^>]*>\s*<\/title>/i, title);
  return addToHead(html, /<title\b/i, () => title);
}

/** Keeps the first h1 and makes later ones h2; a page with none gets its first h2 promoted. */
function oneH1(html: string): string {
  let seen = 0;
  const demoted = html.replace(
    /<h1\b([^>]*)>([\s\S]*?)<\/h1>/gi,
    (whole, attributes: string, inner: string) => (++seen === 1 ? whole : `<h2${attributes}>${inner}</h2>`),
  );
  if (seen > 0) return demoted;
  return html.replace(/<h2\b([^>]*)>([\s\S]*?)<\/h2>/i, '<h1$1>$2</h1>');
}

/** A heading that skips a level (h2 then h4) moves up to the level after the one before it. */
function headingsInOrder(html: string): string {
  let previous = 0;
  return html.replace(
    /<h([1-6])\b([^>]*)>([\s\S]*?)<\/h\1>/gi,
    (_, level: string, attributes: string, inner: string) => {
      const wanted = previous > 0 ? Math.min(Number(level), previous + 1) : Number(level);
      previous = wanted;
      return `<h${wanted}${attributes}>${inner}</h${wanted}>`;
    },
  );
}

/** The finding names the href (`link "Team" to "team.html" ...`): its links become their text. */
function unlinkBroken(html: string, finding: AuditFinding): string {
  const href = /to "([^"]*)"/.exec(finding.message)?.[1];
  if (href === undefined) return html;
  const pattern = new RegExp(
    `<a\\b[^>]*\\bhref="${escapeRegExp(escapeHtml(href))}"[^>]*>([\\s\\S]*?)</a>`,
    'gi',
  );
  return html.replace(pattern, '$1');
}

/** The finding names the reference (`refers to "logo.svg"`): the element using it goes. */
function dropBrokenResource(html: string, finding: AuditFinding): string {
  const reference = /refers to "([^"]*)"/.exec(finding.message)?.[1];
  if (reference === undefined) return html;
  const quoted = escapeRegExp(escapeHtml(reference));
  return html
    .replace(new RegExp(`<(img|link)\\b[^>]*\\b(src|href)="${quoted}"[^>]*>`, 'gi'), '')
    .replace(new RegExp(`<script\\b[^>]*\\bsrc="${quoted}"[^>]*>\\s*</script>`, 'gi'), '');
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

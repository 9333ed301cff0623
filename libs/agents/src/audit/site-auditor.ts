import { HtmlValidate } from 'html-validate';
import { DOMWindow, JSDOM } from 'jsdom';
import { posix } from 'node:path';
import { AuditFinding, AuditReport, FindingSeverity } from './audit-report.model';
import { AxeRunner } from './axe.runner';
import { ResolveOnceConfigLoader } from './resolve-once-config.loader';

export interface SiteAuditorOptions {
  /** Lowest passing score; default 70. */
  threshold?: number;
  /** Largest total size of all files; default 500 kB. */
  sizeBudgetBytes?: number;
}

/** The lowest passing score and the largest site, when the options say nothing. */
export const DEFAULT_AUDIT_OPTIONS = { threshold: 70, sizeBudgetBytes: 500_000 } as const;

const WEIGHTS: Record<FindingSeverity, number> = { critical: 20, serious: 8, moderate: 3, minor: 1 };
const MAX_NODES_PER_VIOLATION = 10;

// jsdom computes no layout and loads no stylesheets, so these rules would judge a page that
// no browser draws. Colour contrast is instead proven by the design step with the WCAG formula.
const LAYOUT_RULES = ['color-contrast', 'color-contrast-enhanced', 'link-in-text-block', 'target-size'];
const AXE_OPTIONS = {
  rules: Object.fromEntries(LAYOUT_RULES.map((rule) => [rule, { enabled: false }])),
  resultTypes: ['violations' as const],
};

/**
 * Audits a static site with real tools: html-validate (recommended rules) for validity, axe-core
 * in jsdom for accessibility, DOM checks for SEO and links, and a size budget.
 *
 * An auditor prepares its tools on first use and keeps them for every later audit, so keep one
 * per thread rather than one per site, and `close()` it when it is no longer needed.
 */
export class SiteAuditor {
  readonly threshold: number;
  private readonly sizeBudgetBytes: number;
  private readonly validator = new HtmlValidate(
    new ResolveOnceConfigLoader({ extends: ['html-validate:recommended'] }),
  );
  private readonly axe = new AxeRunner();
  /** Parses pages with scripting off; a document needs no window of its own for the DOM checks. */
  private parserWindow: DOMWindow | null = null;

  constructor(options: SiteAuditorOptions = {}) {
    this.threshold = options.threshold ?? DEFAULT_AUDIT_OPTIONS.threshold;
    this.sizeBudgetBytes = options.sizeBudgetBytes ?? DEFAULT_AUDIT_OPTIONS.sizeBudgetBytes;
  }

  async audit(files: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<AuditReport> {
    const pages = Object.keys(files)
      .filter((path) => path.endsWith('.html'))
      .sort(homeFirst);
    const findings: AuditFinding[] = [];
    if (pages.length === 0) {
      findings.push({
        rule: 'site/no-pages',
        severity: 'critical',
        page: '*',
        message: 'the site has no HTML pages',
      });
    }
    const documents = new Map<string, Document>();
    for (const page of pages) {
      signal?.throwIfAborted();
      findings.push(...(await this.validate(page, files[page])));
      const document = this.parse(files[page]);
      documents.set(page, document);
      findings.push(...this.checkSeo(page, document, files));
    }
    for (const [page, document] of documents) {
      signal?.throwIfAborted();
      findings.push(...this.checkLinks(page, document, files, documents));
      findings.push(...(await this.runAxe(page, document, signal)));
    }

    const totalBytes = Object.values(files).reduce((total, text) => total + Buffer.byteLength(text), 0);
    if (totalBytes > this.sizeBudgetBytes) {
      findings.push({
        rule: 'size-budget',
        severity: 'serious',
        page: '*',
        message: `the site weighs ${totalBytes} bytes, over the budget of ${this.sizeBudgetBytes} bytes`,
      });
    }

    const score = Math.max(
      0,
      100 - findings.reduce((total, finding) => total + WEIGHTS[finding.severity], 0),
    );
    const isBlocking = (finding: AuditFinding) =>
      (finding.rule.startsWith('html-validate/') && finding.severity === 'serious') ||
      (finding.rule.startsWith('axe/') &&
        (finding.severity === 'serious' || finding.severity === 'critical')) ||
      finding.rule === 'site/no-pages';
    return {
      score,
      passed: score >= this.threshold && !findings.some(isBlocking),
      findings,
      pages,
      totalBytes,
      notes: [
        `axe rules not run because jsdom computes no layout: ${LAYOUT_RULES.join(', ')} (contrast is checked by the design step)`,
      ],
    };
  }

  /** Releases the prepared jsdom windows; a later audit prepares them again. */
  close(): void {
    this.axe.close();
    this.parserWindow?.close();
    this.parserWindow = null;
  }

  private parse(html: string): Document {
    this.parserWindow ??= new JSDOM('', { url: 'http://site.invalid/' }).window;
    return new this.parserWindow.DOMParser().parseFromString(html, 'text/html');
  }

  private async validate(page: string, html: string): Promise<AuditFinding[]> {
    const report = await this.validator.validateString(html, page);
    return report.results.flatMap((result) =>
      result.messages.map((message) => ({
        rule: `html-validate/${message.ruleId}`,
        // html-validate's errors make the page invalid HTML; its warnings are advice.
        severity: message.severity === 2 ? ('serious' as const) : ('minor' as const),
        page,
        message: `${message.message} (line ${message.line}, column ${message.column})`,
        ...(message.selector ? { selector: message.selector } : {}),
      })),
    );
  }

  private checkSeo(
    page: string,
    document: Document,
    files: Readonly<Record<string, string>>,
  ): AuditFinding[] {
    const findings: AuditFinding[] = [];
    const add = (rule: string, severity: FindingSeverity, message: string, selector?: string) =>
      findings.push({ rule: `seo/${rule}`, severity, page, message, ...(selector ? { selector } : {}) });

    const title = document.querySelector('head > title')?.textContent?.trim();
    if (!title) add('title', 'serious', 'the page has no <title> (or it is empty)', 'head');
    const description = document.querySelector('meta[name="description"]')?.getAttribute('content')?.trim();
    if (!description) add('meta-description', 'moderate', 'the page has no meta description', 'head');
    if (!document.querySelector('meta[name="viewport"]'))
      add('viewport', 'moderate', 'the page has no viewport meta tag, so phones will zoom out', 'head');

    const h1s = [...document.querySelectorAll('h1')];
    if (h1s.length !== 1) {
      add(
        'h1-count',
        'serious',
        `the page has ${h1s.length} h1 elements; it needs exactly one`,
        h1s.length > 1 ? 'h1' : 'body',
      );
    }
    let previousLevel = 0;
    for (const heading of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
      const level = Number(heading.tagName.slice(1));
      if (previousLevel > 0 && level > previousLevel + 1) {
        add(
          'heading-order',
          'moderate',
          `<${heading.tagName.toLowerCase()}> "${text(heading)}" follows an <h${previousLevel}>, skipping a level`,
          selectorOf(heading),
        );
      }
      previousLevel = level;
    }
    for (const image of document.querySelectorAll('img')) {
      if (!image.hasAttribute('alt'))
        add(
          'img-alt',
          'serious',
          `<img src="${image.getAttribute('src') ?? ''}"> has no alt attribute`,
          selectorOf(image),
        );
    }
    for (const resource of document.querySelectorAll(
      'img[src], link[rel~="stylesheet"][href], link[rel~="icon"][href], script[src]',
    )) {
      const reference = resource.getAttribute('src') ?? resource.getAttribute('href') ?? '';
      const target = resolveLocal(page, reference);
      if (target !== null && !(target in files)) {
        add(
          'broken-resource',
          'serious',
          `<${resource.tagName.toLowerCase()}> refers to "${reference}", which is not a file of the site`,
          selectorOf(resource),
        );
      }
    }
    return findings;
  }

  private checkLinks(
    page: string,
    document: Document,
    files: Readonly<Record<string, string>>,
    documents: Map<string, Document>,
  ): AuditFinding[] {
    const findings: AuditFinding[] = [];
    for (const anchor of document.querySelectorAll('a[href]')) {
      const href = anchor.getAttribute('href') ?? '';
      const broken = (why: string) =>
        findings.push({
          rule: 'seo/broken-link',
          severity: 'serious',
          page,
          message: `link "${text(anchor)}" to "${href}" ${why}`,
          selector: selectorOf(anchor),
        });
      if (href.trim() === '') {
        broken('is empty');
        continue;
      }
      const [path, fragment] = splitFragment(href);
      const target = path === '' ? page : resolveLocal(page, path);
      if (target === null) continue; // mailto:, tel:, other sites: nothing here to resolve
      const file =
        target in files
          ? target
          : `${target.replace(/\/?$/, '/')}index.html` in files
            ? `${target.replace(/\/?$/, '/')}index.html`
            : null;
      if (file === null) {
        broken('does not resolve to a page of the site');
        continue;
      }
      const targetDocument = documents.get(file);
      if (fragment && targetDocument && !targetDocument.getElementById(fragment))
        broken(`points at #${fragment}, which ${file} does not have`);
    }
    return findings;
  }

  private async runAxe(page: string, document: Document, signal?: AbortSignal): Promise<AuditFinding[]> {
    const results = await this.axe.run(document, `http://site.invalid/${page}`, AXE_OPTIONS, signal);
    return results.violations.flatMap((violation) =>
      violation.nodes.slice(0, MAX_NODES_PER_VIOLATION).map((node) => ({
        rule: `axe/${violation.id}`,
        severity: (violation.impact ?? 'moderate') as FindingSeverity,
        page,
        message: `${violation.help}${node.failureSummary ? `: ${node.failureSummary.replace(/\s+/g, ' ').trim()}` : ''}`,
        selector: node.target.map(String).join(' '),
      })),
    );
  }
}

/** The site file a relative reference points at, or null for anything outside the site. */
function resolveLocal(page: string, reference: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(reference) || reference.startsWith('//')) return null;
  const path = reference.split(/[?#]/)[0];
  const resolved = path.startsWith('/') ? path.slice(1) : posix.join(posix.dirname(page), path);
  return posix.normalize(resolved).replace(/^(\.\.\/)+/, '../') || 'index.html';
}

function splitFragment(href: string): [string, string | null] {
  const index = href.indexOf('#');
  return index < 0 ? [href, null] : [href.slice(0, index), decodeURIComponent(href.slice(index + 1)) || null];
}

function selectorOf(element: Element): string {
  const parts: string[] = [];
  for (
    let node: Element | null = element;
    node && node.tagName.toLowerCase() !== 'html';
    node = node.parentElement
  ) {
    if (node.id) {
      parts.unshift(`#${node.id}`);
      break;
    }
    const siblings = node.parentElement
      ? [...node.parentElement.children].filter((child) => child.tagName === node!.tagName)
      : [];
    const tag = node.tagName.toLowerCase();
    parts.unshift(siblings.length > 1 ? `${tag}:nth-of-type(${siblings.indexOf(node) + 1})` : tag);
  }
  return parts.join(' > ');
}

function text(element: Element): string {
  return (element.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 60);
}

function homeFirst(first: string, second: string): number {
  if (first === 'index.html') return -1;
  if (second === 'index.html') return 1;
  return first.localeCompare(second);
}

import { renderSite } from '../builder/site-renderer';
import { writeCopyByRules } from '../content/site-copy.rules';
import { designSite } from '../design/design.agent';
import { planSiteByRules } from '../planner/site-request.rules';
import { AuditFinding, AuditReport } from './audit-report.model';
import { BROKEN_SITE } from './broken-site.fixture';
import { SiteAuditor } from './site-auditor';

const CLEAN_PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Clean | Test</title>
<meta name="description" content="A clean page">
</head>
<body>
<main>
<h1>Clean</h1>
<p>Nothing wrong here. <a href="index.html#top">Back to top</a></p>
<h2 id="top">Section</h2>
</main>
</body>
</html>
`;

describe('SiteAuditor', () => {
  const auditor = new SiteAuditor();
  let findings: AuditFinding[];
  let passed: boolean;
  let score: number;

  // The first audit loads and compiles jsdom, axe-core and html-validate: seconds on a busy machine.
  beforeAll(async () => {
    ({ findings, passed, score } = await auditor.audit(BROKEN_SITE));
  }, 60_000);

  const find = (rule: string, page: string) =>
    findings.filter((finding) => finding.rule === rule && finding.page === page);

  it('reports the missing title with html-validate, axe and the SEO check', () => {
    expect(find('seo/title', 'index.html')).toEqual([
      expect.objectContaining({ severity: 'serious', message: 'the page has no <title> (or it is empty)' }),
    ]);
    expect(find('html-validate/element-required-content', 'index.html')).toEqual([
      expect.objectContaining({
        severity: 'serious',
        message: expect.stringContaining('<head> element must have <title> as content'),
      }),
    ]);
    expect(find('axe/document-title', 'index.html')).toEqual([
      expect.objectContaining({ severity: 'serious' }),
    ]);
    expect(find('seo/title', 'about.html')).toEqual([]);
  });

  it('reports two h1 elements on the home page and none elsewhere', () => {
    expect(find('seo/h1-count', 'index.html')).toEqual([
      expect.objectContaining({
        severity: 'serious',
        message: 'the page has 2 h1 elements; it needs exactly one',
        selector: 'h1',
      }),
    ]);
    expect(find('seo/h1-count', 'about.html')).toEqual([]);
  });

  it('reports the image without alt text, with its selector', () => {
    expect(find('seo/img-alt', 'about.html')).toEqual([
      expect.objectContaining({
        severity: 'serious',
        message: '<img src="logo.svg"> has no alt attribute',
        selector: 'body > main > img',
      }),
    ]);
    expect(find('axe/image-alt', 'about.html')).toEqual([
      expect.objectContaining({ severity: 'critical', selector: 'img' }),
    ]);
    expect(find('html-validate/wcag/h37', 'about.html')).toHaveLength(1);
  });

  it('reports the div inside a paragraph as invalid nesting', () => {
    const nesting = findings.filter(
      (finding) =>
        finding.page === 'about.html' && /html-validate\/(no-implicit-close|close-order)/.test(finding.rule),
    );
    expect(nesting.map((finding) => finding.rule).sort()).toEqual([
      'html-validate/close-order',
      'html-validate/no-implicit-close',
    ]);
    expect(nesting.find((finding) => finding.rule === 'html-validate/no-implicit-close')?.message).toMatch(
      /<p> is implicitly closed by adjacent <div> \(line 14/,
    );
  });

  it('reports the link to a page the site does not have, and not the link that works', () => {
    expect(findings.filter((finding) => finding.rule === 'seo/broken-link')).toEqual([
      {
        rule: 'seo/broken-link',
        severity: 'serious',
        page: 'about.html',
        message: 'link "Meet the team" to "team.html" does not resolve to a page of the site',
        selector: 'body > main > p:nth-of-type(3) > a',
      },
    ]);
  });

  it('reports the skipped heading level', () => {
    expect(find('seo/heading-order', 'about.html')).toEqual([
      expect.objectContaining({
        severity: 'moderate',
        message: '<h4> "Founders" follows an <h2>, skipping a level',
      }),
    ]);
  });

  it('fails the site and scores it low', () => {
    expect(passed).toBe(false);
    expect(score).toBeLessThan(70);
  });

  it('passes a clean page with no findings and a score of 100', async () => {
    const report = await auditor.audit({ 'index.html': CLEAN_PAGE });
    expect(report).toMatchObject({ findings: [], score: 100, passed: true, pages: ['index.html'] });
  });

  it('reports a link to a fragment the target page does not have', async () => {
    const report = await auditor.audit({
      'index.html': CLEAN_PAGE.replace('index.html#top', 'index.html#nowhere'),
    });
    expect(report.findings).toEqual([
      expect.objectContaining({ rule: 'seo/broken-link', message: expect.stringContaining('#nowhere') }),
    ]);
  });

  it('counts the size budget against the score without blocking on its own', async () => {
    const report = await new SiteAuditor({ sizeBudgetBytes: 100 }).audit({ 'index.html': CLEAN_PAGE });
    expect(report.findings).toEqual([
      expect.objectContaining({ rule: 'size-budget', page: '*', severity: 'serious' }),
    ]);
    expect(report).toMatchObject({ score: 92, passed: true });
  });

  it('fails a site with no pages', async () => {
    const report = await auditor.audit({ 'styles.css': 'body {}' });
    expect(report).toMatchObject({
      passed: false,
      findings: [expect.objectContaining({ rule: 'site/no-pages', severity: 'critical' })],
    });
  });
});

// Sites whose axe findings depend on something of each page's own that a window reused for many
// pages could get wrong: its compatibility mode, its root element, its URL.
const HIDDEN_IMAGE_PAGE = `<html lang="en">
<head><title>Hidden</title><style>.Hidden { display: none }</style></head>
<body><main><h1>Hidden</h1><img class="hidden" src="hidden.png"></main></body>
</html>
`;
/** Without a doctype, class selectors ignore case, so the stylesheet hides the image. */
const QUIRKS_MODE_SITE = {
  'index.html': HIDDEN_IMAGE_PAGE,
  'standards.html': `<!DOCTYPE html>\n${HIDDEN_IMAGE_PAGE}`,
};
/** Rules on `:root` and on the root element's class hide two of the three images. */
const ROOT_STYLED_SITE = {
  'index.html': `<!DOCTYPE html>
<html lang="en" class="dark">
<head><title>Root</title><style>:root .gone { display: none } html.dark .dim { display: none }</style></head>
<body><main><h1>Root</h1><img class="gone" src="a.png"><img class="dim" src="b.png"><img src="c.png"></main></body>
</html>
`,
};
const skipLinkPage = (page: string) => `<!DOCTYPE html>
<html lang="en">
<head><title>Skip</title></head>
<body><a href="${page}#main">Skip to content</a><main id="main"><h1>Skip</h1></main></body>
</html>
`;
/** A link to the page it is on is a skip link, which the region rule allows outside landmarks. */
const SKIP_LINK_SITE = { 'index.html': skipLinkPage('index.html'), 'about.html': skipLinkPage('about.html') };

function renderedSite(request: string): Record<string, string> {
  const { spec } = planSiteByRules(request);
  return renderSite(spec, writeCopyByRules(spec), designSite(spec, {})).files;
}

const axeFindings = (report: AuditReport) =>
  report.findings
    .filter((finding) => finding.rule.startsWith('axe/'))
    .map((finding) => `${finding.page} ${finding.rule} ${finding.selector}`);

describe('SiteAuditor reused for many audits', () => {
  const auditor = new SiteAuditor();

  afterAll(() => auditor.close());

  it('finds on each site what a fresh auditor finds, whatever it audited before', async () => {
    const sites = [
      BROKEN_SITE,
      { 'index.html': CLEAN_PAGE },
      renderedSite('Create a portfolio website for a wildlife photographer, dark theme'),
      QUIRKS_MODE_SITE,
      ROOT_STYLED_SITE,
      SKIP_LINK_SITE,
      BROKEN_SITE,
      { 'index.html': CLEAN_PAGE },
    ];
    for (const [index, files] of sites.entries()) {
      const fresh = new SiteAuditor();
      const expected = await fresh.audit(files);
      fresh.close();

      expect({ index, report: await auditor.audit(files) }).toEqual({ index, report: expected });
    }
  }, 120_000);

  it('finds nothing on a clean page audited right after a broken site', async () => {
    await auditor.audit(BROKEN_SITE);
    expect((await auditor.audit({ 'index.html': CLEAN_PAGE })).findings).toEqual([]);
  }, 30_000);

  it('checks each page in its own compatibility mode, with its own root element and URL', async () => {
    await auditor.audit(BROKEN_SITE);

    expect(axeFindings(await auditor.audit(QUIRKS_MODE_SITE))).toEqual(['standards.html axe/image-alt img']);
    expect(axeFindings(await auditor.audit(ROOT_STYLED_SITE))).toEqual([
      'index.html axe/image-alt img[src="c.png"]',
    ]);
    expect(axeFindings(await auditor.audit(SKIP_LINK_SITE))).toEqual([]);
  }, 60_000);

  it('finds the same on the same site every time', async () => {
    const first = await auditor.audit(BROKEN_SITE);
    for (let audit = 0; audit < 12; audit++) expect(await auditor.audit(BROKEN_SITE)).toEqual(first);
  }, 120_000);

  it('audits sites given at the same time one page after another, as if alone', async () => {
    const [broken, clean] = await Promise.all([
      auditor.audit(BROKEN_SITE),
      auditor.audit({ 'index.html': CLEAN_PAGE }),
    ]);
    const fresh = new SiteAuditor();
    expect(broken).toEqual(await fresh.audit(BROKEN_SITE));
    fresh.close();
    expect(clean.findings).toEqual([]);
  }, 30_000);

  it('prepares its tools again when it audits after close()', async () => {
    const before = await auditor.audit(BROKEN_SITE);
    auditor.close();
    expect(await auditor.audit(BROKEN_SITE)).toEqual(before);
  }, 30_000);
});

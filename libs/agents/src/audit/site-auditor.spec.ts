import { AuditFinding } from './audit-report.model';
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

  beforeAll(async () => {
    ({ findings, passed, score } = await auditor.audit(BROKEN_SITE));
  });

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

import { AuditReport } from '../audit/audit-report.model';
import { BROKEN_SITE } from '../audit/broken-site.fixture';
import { SiteAuditor } from '../audit/site-auditor';
import { findingsOf, repairSite } from './site-repairs';

describe('repairSite', () => {
  const auditor = new SiteAuditor();
  let before: AuditReport;
  let after: AuditReport;
  let repaired: ReturnType<typeof repairSite>;

  // The first audit loads and compiles jsdom, axe-core and html-validate: seconds on a busy machine.
  beforeAll(async () => {
    before = await auditor.audit(BROKEN_SITE);
    repaired = repairSite(BROKEN_SITE, findingsOf({ findings: before.findings }));
    after = await auditor.audit(repaired.files);
  }, 60_000);

  afterAll(() => auditor.close());

  const rulesOf = (report: AuditReport) => [
    ...new Set(report.findings.map((finding) => `${finding.page} ${finding.rule}`)),
  ];

  it('fixes what a builder can from the findings: alt text, title, one h1, heading order, broken links', () => {
    expect(rulesOf(before)).toEqual(
      expect.arrayContaining([
        'index.html seo/title',
        'index.html seo/h1-count',
        'about.html seo/img-alt',
        'about.html seo/heading-order',
        'about.html seo/broken-link',
      ]),
    );
    expect(rulesOf(after).filter((rule) => rule.includes(' seo/'))).toEqual([]);
    expect(repaired.repairs.repaired).toEqual(
      expect.arrayContaining([
        'index.html: seo/h1-count',
        'about.html: seo/img-alt',
        'about.html: seo/heading-order',
        'about.html: seo/broken-link',
      ]),
    );
    expect(repaired.files['index.html']).toContain('<title>Welcome</title>');
    expect(repaired.files['index.html']).toContain('<h2>Welcome again</h2>');
    expect(repaired.files['about.html']).toContain('<img alt="logo" src="logo.svg"');
    expect(repaired.files['about.html']).toContain('<h3>Founders</h3>');
    expect(repaired.files['about.html']).toContain('<p>Meet the team</p>');
    expect(after.score).toBeGreaterThan(before.score);
  });

  it('says which findings it has no fix for, and leaves those pages as the audit found them', () => {
    // A div inside a p is content the builder would have to restructure, not a fix it knows.
    expect(rulesOf(after)).toEqual([
      'about.html html-validate/no-implicit-close',
      'about.html html-validate/close-order',
    ]);
    expect(repaired.repairs.unrepaired).toEqual(
      expect.arrayContaining(['html-validate/no-implicit-close', 'html-validate/close-order']),
    );
    expect(repaired.files['styles.css']).toBe(BROKEN_SITE['styles.css']);
  });

  it('reads no findings from feedback that has none', () => {
    expect(findingsOf(null)).toEqual([]);
    expect(findingsOf('too dark')).toEqual([]);
    expect(
      findingsOf({ findings: [{ rule: 'x' }, { rule: 'seo/title', page: 'a.html', message: 'm' }] }),
    ).toEqual([{ rule: 'seo/title', page: 'a.html', message: 'm' }]);
  });
});

import { RevisionRequested, ValidationError } from '@app/agent-sdk';
import { WorkflowType } from '@app/contracts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SiteRepository } from '@app/sites';
import { createTestContext } from '../testing/agent-context.fixture';
import { AuditAgent, AuditFeedback } from './audit.agent';
import { BROKEN_SITE } from './broken-site.fixture';

describe('AuditAgent', () => {
  let sitesDir: string;
  let repository: SiteRepository;
  let agent: AuditAgent;

  beforeEach(async () => {
    sitesDir = await mkdtemp(join(tmpdir(), 'audit-agent-'));
    repository = new SiteRepository({ sitesDir });
    agent = new AuditAgent({ repository });
  });

  afterEach(async () => {
    await rm(sitesDir, { recursive: true, force: true });
  });

  it('reports on a published broken site in AUDIT_ONLY without throwing', async () => {
    await repository.publish('broken-site', BROKEN_SITE);
    const context = createTestContext({
      workflowType: WorkflowType.AuditOnly,
      input: { siteId: 'broken-site' },
    });

    const report = await agent.execute(context);

    expect(report).toMatchObject({
      siteId: 'broken-site',
      version: 1,
      passed: false,
      pages: ['index.html', 'about.html'],
    });
    const rules = new Set(report.findings.map((finding) => `${finding.page} ${finding.rule}`));
    for (const expected of [
      'index.html seo/title',
      'index.html seo/h1-count',
      'about.html seo/img-alt',
      'about.html html-validate/no-implicit-close',
      'about.html seo/broken-link',
    ]) {
      expect(rules).toContain(expected);
    }
    expect(context.logs).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: `audit score ${report.score}, ${report.findings.length} findings`,
        metadata: expect.objectContaining({ score: report.score, passed: false, findings: report.findings }),
      }),
    );
  });

  it('audits the version asked for, not only the current one', async () => {
    await repository.publish('broken-site', BROKEN_SITE);
    const fixed = {
      ...BROKEN_SITE,
      'about.html': BROKEN_SITE['about.html'].replace(
        '<img src="logo.svg"',
        '<img src="logo.svg" alt="Logo"',
      ),
    };
    await repository.publish('broken-site', fixed);

    const first = await agent.execute(
      createTestContext({
        workflowType: WorkflowType.AuditOnly,
        input: { siteId: 'broken-site', version: 1 },
      }),
    );
    const second = await agent.execute(
      createTestContext({ workflowType: WorkflowType.AuditOnly, input: { siteId: 'broken-site' } }),
    );

    expect(first.version).toBe(1);
    expect(first.findings.some((finding) => finding.rule === 'seo/img-alt')).toBe(true);
    expect(second.version).toBe(2);
    expect(second.findings.some((finding) => finding.rule === 'seo/img-alt')).toBe(false);
  });

  it('sends a failing site back to the builder with its findings, blocking ones first', async () => {
    const context = createTestContext({
      workflowType: WorkflowType.CreateSite,
      dependencies: { builder: { files: BROKEN_SITE, pages: ['index.html', 'about.html'] } },
    });

    const failure = agent.execute(context).then(
      () => null,
      (error: unknown) => error,
    );

    const request = (await failure) as RevisionRequested;
    expect(request).toBeInstanceOf(RevisionRequested);
    expect(request.summary).toBe(
      `the site failed its audit (score ${(request.feedback as AuditFeedback).score}, threshold 70); not publishing it: ` +
        '[critical] about.html axe/image-alt, [serious] index.html html-validate/element-required-content, ' +
        `[serious] index.html seo/title, and ${(request.feedback as AuditFeedback).findings.length - 3} more`,
    );
    const feedback = request.feedback as AuditFeedback;
    expect(feedback.threshold).toBe(70);
    expect(feedback.findings).toContainEqual(
      expect.objectContaining({
        rule: 'seo/broken-link',
        page: 'about.html',
        message: 'link "Meet the team" to "team.html" does not resolve to a page of the site',
      }),
    );
    expect(feedback.findings.map((finding) => finding.severity).indexOf('moderate')).toBeGreaterThan(
      feedback.findings.map((finding) => finding.severity).lastIndexOf('serious'),
    );
  });

  it('answers an unknown site with a ValidationError', async () => {
    const context = createTestContext({
      workflowType: WorkflowType.AuditOnly,
      input: { siteId: 'no-such-site' },
    });
    const failure = agent.execute(context);
    await expect(failure).rejects.toBeInstanceOf(ValidationError);
    await expect(failure).rejects.toThrow('site no-such-site is not published');
  });

  it('answers a missing siteId with a ValidationError', async () => {
    await expect(
      agent.execute(createTestContext({ workflowType: WorkflowType.AuditOnly, input: {} })),
    ).rejects.toThrow(ValidationError);
  });
});

import { request as httpRequest } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditFinding, AuditOutput, DeployOutput } from '@app/agents';
import { SiteRepository } from '@app/sites';
import {
  LogEvent,
  SiteSummaryResponse,
  SiteVersionResponse,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowState,
  WorkflowStatus,
  WorkflowType,
} from '@app/contracts';
import { JSDOM } from 'jsdom';
import { BROKEN_SITE } from '../libs/agents/src/audit/broken-site.fixture';
import { blockingFindings } from '../libs/agents/src/testing/audit-blockers';
import { AppProcess } from './support/app-process';
import { ApiClient } from './support/api-client';
import { TEST_ADMIN_KEY, TestNamespace } from './support/test-environment';
import { WorkflowClient } from './support/workflow-client';

/** A workflow run to its end through the services. */
interface FinishedWorkflow {
  workflowId: string;
  state: WorkflowState;
  events: WorkflowEvent[];
}

/** A served page: status, headers and the parsed document. */
interface ServedPage {
  url: string;
  response: Response;
  document: Document;
}

/** Relative luminance of a #rrggbb colour (WCAG). */
function luminance(hex: string): number {
  const [red, green, blue] = [1, 3, 5].map((start) => {
    const channel = parseInt(hex.slice(start, start + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
}

describe('the website builder end to end: gateway, orchestrator and metrics as processes', () => {
  const namespace = new TestNamespace();
  let sitesDir: string;
  let apps: Record<'gateway' | 'orchestrator' | 'metrics', AppProcess>;
  let client: WorkflowClient;
  let api: ApiClient;
  /** A visitor: no API key. */
  let visitor: ApiClient;

  beforeAll(async () => {
    await namespace.prepare();
    sitesDir = await mkdtemp(join(tmpdir(), 'website-e2e-'));
    const env = namespace.env({ SITES_DIR: sitesDir });
    const running = await AppProcess.startAll(['gateway', 'orchestrator', 'metrics'], env);
    const [gateway, orchestrator, metrics] = running;
    apps = { gateway, orchestrator, metrics };
    api = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    visitor = api.as(null);
    client = new WorkflowClient(gateway.url);
    await client.connected();
  });

  afterAll(async () => {
    client?.close();
    await Promise.all(Object.values(apps ?? {}).map((app) => app.stop()));
    await namespace.dispose();
    await rm(sitesDir, { recursive: true, force: true });
  });

  async function runWorkflow(body: {
    type: WorkflowType;
    sessionId: string;
    input: Record<string, unknown>;
    preferences?: Record<string, unknown>;
  }): Promise<FinishedWorkflow> {
    const workflowId = await api.startWorkflow(body);
    const ack = await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    expect(ack).toMatchObject({ ok: true });
    await client.finished(workflowId, 120_000);
    const state = await api.json<WorkflowState>(`/workflows/${workflowId}`);
    const events = await api.json<WorkflowEvent[]>(`/workflows/${workflowId}/events?after=0`);
    return { workflowId, state, events };
  }

  function logsOf(workflow: FinishedWorkflow, stepId: string): LogEvent[] {
    return workflow.events.filter(
      (event): event is LogEvent => event.type === WorkflowEventType.Log && event.stepId === stepId,
    );
  }

  /** The audit step's report, as its log event carries it (the workflow's result holds only deploy's output). */
  function gateAudit(workflow: FinishedWorkflow): {
    score: number;
    passed: boolean;
    findings: AuditFinding[];
  } {
    const reports = logsOf(workflow, 'audit').filter((event) => event.message.startsWith('audit score '));
    expect(reports).toHaveLength(1);
    return reports[0].metadata as { score: number; passed: boolean; findings: AuditFinding[] };
  }

  function deployOf(workflow: FinishedWorkflow): DeployOutput {
    expect(workflow.state).toMatchObject({ status: WorkflowStatus.Completed, error: null });
    return (workflow.state.result as { deploy: DeployOutput }).deploy;
  }

  async function open(path: string): Promise<ServedPage> {
    const response = await visitor.get(path);
    const url = `${api.baseUrl}${path}`;
    const document = new JSDOM(await response.text(), { url }).window.document;
    return { url, response, document };
  }

  /**
   * A GET with the path sent byte for byte (fetch would resolve `..` and `%2e%2e` first) and
   * only the headers given (fetch adds `Cache-Control: no-cache` to a conditional request).
   */
  function rawGet(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    return new Promise((resolve, reject) => {
      const call = httpRequest(`${api.baseUrl}/`, { path, headers }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      });
      call.on('error', reject);
      call.end();
    });
  }

  const listSites = () => api.json<SiteSummaryResponse[]>('/sites');

  async function sitesOnDisk(): Promise<string[]> {
    return (await readdir(sitesDir).catch(() => [] as string[])).sort();
  }

  /**
   * Opens the served home page like a browser would and follows what it loads and links to:
   * every nav link is a page, the stylesheet is CSS, images are SVG.
   */
  async function expectServedSite(siteId: string, name: string): Promise<ServedPage> {
    const home = await open(`/sites/${siteId}/`);
    expect(home.response.status).toBe(200);
    expect(home.response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(home.document.title).toContain(name);
    expect(home.document.querySelector('meta[name="description"]')?.getAttribute('content')).toBeTruthy();
    expect(home.document.querySelector('meta[property="og:title"]')).not.toBeNull();

    const navigation = [...home.document.querySelectorAll<HTMLAnchorElement>('nav a[href]')].map(
      (link) => new URL(link.href),
    );
    expect(navigation.length).toBeGreaterThanOrEqual(2);
    for (const link of navigation) {
      expect(link.pathname.startsWith(`/sites/${siteId}/`)).toBe(true);
      const page = await open(link.pathname);
      expect([link.pathname, page.response.status]).toEqual([link.pathname, 200]);
      expect(page.response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.document.title).toContain(name);
      expect(page.document.querySelectorAll('h1')).toHaveLength(1);
    }

    const stylesheet = home.document.querySelector<HTMLLinkElement>('link[rel="stylesheet"]');
    expect(stylesheet).not.toBeNull();
    const css = await visitor.get(new URL(stylesheet!.href).pathname);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('color-scheme:');

    for (const image of home.document.querySelectorAll<HTMLImageElement>('img[src]')) {
      const served = await visitor.get(new URL(image.src).pathname);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/svg+xml');
    }
    return home;
  }

  describe('CREATE_SITE for six kinds of site', () => {
    const requests: Array<{ kind: string; request: string; name: string }> = [
      {
        kind: 'portfolio',
        request: 'Create a portfolio website for a wildlife photographer, dark theme',
        name: 'Wildlife Photographer Portfolio',
      },
      {
        kind: 'blog',
        request: 'Make a blog about sourdough baking with a friendly tone',
        name: 'Sourdough Baking Blog',
      },
      {
        kind: 'restaurant',
        request: "Build a website for Luigi's, an Italian trattoria in Naples, with green accents",
        name: "Luigi's",
      },
      {
        kind: 'small business',
        request: 'Create a website for a family plumbing business in Leeds with a FAQ page',
        name: 'Family Plumbing Business',
      },
      {
        kind: 'event',
        request: 'A landing page for the Harbour Jazz Festival on 14 June 2025 in Bristol',
        name: 'Harbour Jazz Festival',
      },
      {
        kind: 'personal',
        request: 'My personal website: I am a software engineer who loves hiking',
        name: 'Software Engineer',
      },
    ];
    const created = new Map<string, Promise<FinishedWorkflow>>();

    beforeAll(() => {
      // Started together, as users would: the engine runs their steps in parallel.
      for (const { kind, request } of requests) {
        const run = runWorkflow({
          type: WorkflowType.CreateSite,
          sessionId: `session-${kind.replace(' ', '-')}-${namespace.id}`,
          input: { request },
        });
        run.catch(() => undefined); // awaited (and reported) by the test of its kind
        created.set(kind, run);
      }
    });

    it.each(requests)(
      '$kind: COMPLETED, audited clean, published as version 1 and served by the gateway',
      async ({ kind, name }) => {
        const workflow = await created.get(kind)!;
        const deploy = deployOf(workflow);
        expect(deploy).toEqual({
          siteId: expect.stringMatching(/^[a-z0-9-]+-[0-9a-f]{6}$/),
          version: 1,
          path: `/sites/${deploy.siteId}/`,
          action: 'published',
        });

        const gate = gateAudit(workflow);
        expect(gate.passed).toBe(true);
        expect(blockingFindings(gate.findings)).toEqual([]);

        // The deployed files, audited again by AUDIT_ONLY, whose result is the full report.
        const audited = await runWorkflow({
          type: WorkflowType.AuditOnly,
          sessionId: workflow.state.sessionId,
          input: { siteId: deploy.siteId },
        });
        expect(audited.state.status).toBe(WorkflowStatus.Completed);
        const report = (audited.state.result as { audit: AuditOutput }).audit;
        expect(report).toMatchObject({ siteId: deploy.siteId, version: 1, passed: true, score: gate.score });
        expect(blockingFindings(report.findings)).toEqual([]);

        const home = await expectServedSite(deploy.siteId, name);
        expect(report.pages).toContain('index.html');
        expect(home.document.querySelectorAll('nav a[href]')).toHaveLength(report.pages.length);
      },
    );

    it('serves pages publicly with a strict CSP, revalidation and an ETag that answers 304', async () => {
      const siteId = deployOf(await created.get('blog')!).siteId;
      const home = await visitor.get(`/sites/${siteId}/`);
      expect(home.status).toBe(200);
      const csp = home.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).not.toMatch(/https?:|\*|unsafe/);
      expect(home.headers.get('cache-control')).toBe('no-cache');
      expect(home.headers.get('x-content-type-options')).toBe('nosniff');
      expect(home.headers.get('x-site-version')).toBe('1');
      const etag = home.headers.get('etag');
      expect(etag).toBeTruthy();

      const again = await rawGet(`/sites/${siteId}/`, { 'if-none-match': etag! });
      expect(again).toMatchObject({ status: 304, body: '' });
      expect(again.headers.etag).toBe(etag);

      const head = await visitor.request('HEAD', `/sites/${siteId}/contact.html`);
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toBe('text/html; charset=utf-8');

      // Without the slash, relative links would leave the site: redirect to it.
      const bare = await fetch(`${api.baseUrl}/sites/${siteId}`, { redirect: 'manual' });
      expect(bare.status).toBe(301);
      expect(bare.headers.get('location')).toBe(`/sites/${siteId}/`);
      // Extensionless page URLs find the page.
      expect((await visitor.get(`/sites/${siteId}/contact`)).status).toBe(200);
    });

    it('answers an unknown site or file with 404 and says which, and never serves a file outside the site', async () => {
      const siteId = deployOf(await created.get('restaurant')!).siteId;
      const unknownSite = await visitor.get('/sites/no-such-site-000000/');
      expect(unknownSite.status).toBe(404);
      expect(((await unknownSite.json()) as { message: string }).message).toBe(
        'site no-such-site-000000 is not published',
      );
      const unknownFile = await visitor.get(`/sites/${siteId}/pricing.html`);
      expect(unknownFile.status).toBe(404);
      expect(((await unknownFile.json()) as { message: string }).message).toBe(
        `site ${siteId} has no page or file "pricing.html"`,
      );

      for (const path of [
        `/sites/${siteId}/../current.json`,
        `/sites/${siteId}/%2e%2e/current.json`,
        `/sites/${siteId}/..%2fcurrent.json`,
        `/sites/${siteId}/..%2f..%2f${siteId}%2fcurrent.json`,
        `/sites/${siteId}/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd`,
        `/sites/${siteId}/versions/1/version.json`,
        `/sites/${siteId}/..%5c..%5ccurrent.json`,
        `/sites/${siteId}/index.html%00.css`,
        `/sites/${siteId}/.hidden`,
        `/sites/..%2f${siteId}/index.html`,
        `/sites/%2e%2e/${siteId}/current.json`,
      ]) {
        const answer = await rawGet(path);
        expect([path, answer.status]).toEqual([path, 404]);
        expect(answer.body).not.toMatch(/"activatedAt"|"publishedAt"|root:/);
      }
    });

    it('lists the sites and their versions for API callers, and keeps the listing behind the API key', async () => {
      const runs = await Promise.all([...created.values()]);
      const siteIds = runs.map((run) => deployOf(run).siteId);
      const sites = await listSites();
      for (const siteId of siteIds) {
        expect(sites).toContainEqual({
          siteId,
          currentVersion: 1,
          versionCount: 1,
          updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          path: `/sites/${siteId}/`,
        });
      }
      const versions = await api.json<SiteVersionResponse[]>(`/sites/${siteIds[0]}/versions`);
      expect(versions).toEqual([
        {
          version: 1,
          isCurrent: true,
          publishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          fileCount: expect.any(Number),
          totalBytes: expect.any(Number),
          workflowId: runs[0].workflowId,
          workflowType: WorkflowType.CreateSite,
          change: null,
        },
      ]);
      expect((await api.get('/sites/no-such-site-000000/versions')).status).toBe(404);
      // The pages are public; the listings are API.
      expect((await visitor.get('/sites')).status).toBe(401);
      expect((await visitor.get(`/sites/${siteIds[0]}/versions`)).status).toBe(401);
      expect((await visitor.get(`/sites/${siteIds[0]}/`)).status).toBe(200);
    });
  });

  describe('UPDATE_SITE and DEPLOY_ONLY on a created site', () => {
    const sessionId = `session-update-${namespace.id}`;
    let siteId: string;

    beforeAll(async () => {
      const created = await runWorkflow({
        type: WorkflowType.CreateSite,
        sessionId,
        input: { request: 'Create a portfolio website for a landscape painter, dark theme' },
      });
      siteId = deployOf(created).siteId;
    });

    async function servedPalette(): Promise<{ scheme: string; background: string }> {
      const css = await (await visitor.get(`/sites/${siteId}/styles.css`)).text();
      return {
        scheme: /color-scheme:\s*(\w+)/.exec(css)![1],
        background: /--background:\s*(#[0-9a-f]{6})/i.exec(css)![1],
      };
    }

    it('publishes the change as version 2, then DEPLOY_ONLY rolls back to version 1 and the gateway serves it at once', async () => {
      const before = await servedPalette();
      expect(before.scheme).toBe('dark');
      expect(luminance(before.background)).toBeLessThan(0.2);
      const homeBefore = await open(`/sites/${siteId}/`);
      expect(homeBefore.document.querySelector('nav a[href="blog.html"]')).toBeNull();

      const updated = await runWorkflow({
        type: WorkflowType.UpdateSite,
        sessionId,
        input: { request: 'add a blog page and make it light' },
      });
      expect(deployOf(updated)).toEqual({
        siteId,
        version: 2,
        path: `/sites/${siteId}/`,
        action: 'published',
      });
      expect(blockingFindings(gateAudit(updated).findings)).toEqual([]);

      const homeAfter = await open(`/sites/${siteId}/`);
      expect(homeAfter.response.headers.get('x-site-version')).toBe('2');
      expect(homeAfter.response.headers.get('etag')).not.toBe(homeBefore.response.headers.get('etag'));
      expect(homeAfter.document.querySelector('nav a[href="blog.html"]')).not.toBeNull();
      const blog = await open(`/sites/${siteId}/blog.html`);
      expect(blog.response.status).toBe(200);
      expect(blog.document.querySelector('h1')?.textContent).toBeTruthy();
      const after = await servedPalette();
      expect(after.scheme).toBe('light');
      expect(luminance(after.background)).toBeGreaterThan(0.7);
      await expectServedSite(siteId, homeBefore.document.querySelector('.brand')!.textContent!);

      const versions = await api.json<SiteVersionResponse[]>(`/sites/${siteId}/versions`);
      expect(
        versions.map(({ version, isCurrent, workflowType }) => ({ version, isCurrent, workflowType })),
      ).toEqual([
        { version: 1, isCurrent: false, workflowType: WorkflowType.CreateSite },
        { version: 2, isCurrent: true, workflowType: WorkflowType.UpdateSite },
      ]);
      expect(versions[1].change).toMatch(/blog/i);
      expect(versions[1].change).toMatch(/light/i);

      const rolledBack = await runWorkflow({ type: WorkflowType.DeployOnly, sessionId, input: { siteId } });
      expect(deployOf(rolledBack)).toEqual({
        siteId,
        version: 1,
        path: `/sites/${siteId}/`,
        action: 'activated',
      });

      const homeRolledBack = await open(`/sites/${siteId}/`);
      expect(homeRolledBack.response.headers.get('x-site-version')).toBe('1');
      expect(homeRolledBack.document.querySelector('nav a[href="blog.html"]')).toBeNull();
      expect((await visitor.get(`/sites/${siteId}/blog.html`)).status).toBe(404);
      expect(await servedPalette()).toEqual(before);
      expect((await listSites()).find((site) => site.siteId === siteId)).toMatchObject({
        currentVersion: 1,
        versionCount: 2,
      });
    });
  });

  describe('AUDIT_ONLY on a deliberately broken site', () => {
    it('completes with a failing report that names each fault on its page', async () => {
      await new SiteRepository({ sitesDir }).publish('broken-fixture', BROKEN_SITE, { note: 'fixture' });

      const audited = await runWorkflow({
        type: WorkflowType.AuditOnly,
        sessionId: `session-audit-${namespace.id}`,
        input: { siteId: 'broken-fixture' },
      });

      expect(audited.state.status).toBe(WorkflowStatus.Completed);
      const report = (audited.state.result as { audit: AuditOutput }).audit;
      expect(report).toMatchObject({
        siteId: 'broken-fixture',
        version: 1,
        passed: false,
        pages: ['index.html', 'about.html'],
      });
      expect(report.score).toBeLessThan(70);
      const found = report.findings.map(({ page, rule, severity }) => `${page} ${rule} ${severity}`).sort();
      expect(found).toEqual(
        [
          // index.html: no <title>, two h1.
          'index.html html-validate/element-required-content serious',
          'index.html seo/title serious',
          'index.html axe/document-title serious',
          'index.html seo/h1-count serious',
          // about.html: an img without alt, a div inside a p, a link to a missing page, h2 then h4.
          'about.html html-validate/wcag/h37 serious',
          'about.html seo/img-alt serious',
          'about.html axe/image-alt critical',
          'about.html html-validate/no-implicit-close serious',
          'about.html html-validate/close-order serious',
          'about.html seo/broken-link serious',
          'about.html seo/heading-order moderate',
          'about.html axe/heading-order moderate',
        ].sort(),
      );
      const message = (page: string, rule: string) =>
        report.findings.find((finding) => finding.page === page && finding.rule === rule)?.message;
      expect(message('index.html', 'seo/h1-count')).toBe('the page has 2 h1 elements; it needs exactly one');
      expect(message('about.html', 'seo/img-alt')).toBe('<img src="logo.svg"> has no alt attribute');
      expect(message('about.html', 'html-validate/no-implicit-close')).toMatch(
        /^Element <p> is implicitly closed by adjacent <div>/,
      );
      expect(message('about.html', 'seo/broken-link')).toBe(
        'link "Meet the team" to "team.html" does not resolve to a page of the site',
      );
      // The same report reached clients that follow the events.
      expect(gateAudit(audited)).toMatchObject({
        score: report.score,
        passed: false,
        findings: report.findings,
      });
    });
  });

  // Input its type's schema refuses (no request, an empty or too long one, a malformed site id)
  // never gets this far: the gateway answers 422 (test/gateway-workflow-input.e2e-spec.ts).
  describe('bad input: a clear outcome, never a crash or a half-published site', () => {
    it('fails each request the agents refuse at once, naming what to fix, and publishes nothing', async () => {
      const sitesBefore = await listSites();
      const diskBefore = await sitesOnDisk();
      const existing = sitesBefore[0].siteId;

      const cases: Array<{
        body: Parameters<typeof runWorkflow>[0];
        stepId: string;
        error: string | RegExp;
      }> = [
        {
          body: {
            type: WorkflowType.UpdateSite,
            sessionId: `s-no-site-${namespace.id}`,
            input: { request: 'add a blog page' },
          },
          stepId: 'memory',
          error: `session s-no-site-${namespace.id} has no site to update; run CREATE_SITE first`,
        },
        {
          body: {
            type: WorkflowType.DeployOnly,
            sessionId: `s-rollback-${namespace.id}`,
            input: { siteId: 'no-such-site-000000' },
          },
          stepId: 'deploy',
          error: 'site no-such-site-000000 is not published',
        },
        {
          body: {
            type: WorkflowType.DeployOnly,
            sessionId: `s-version-${namespace.id}`,
            input: { siteId: existing, version: 99 },
          },
          stepId: 'deploy',
          error: `site ${existing} has no version 99`,
        },
        {
          body: {
            type: WorkflowType.AuditOnly,
            sessionId: `s-audit-${namespace.id}`,
            input: { siteId: 'no-such-site-000000' },
          },
          stepId: 'audit',
          error: 'site no-such-site-000000 is not published',
        },
      ];
      const runs = await Promise.all(cases.map(({ body }) => runWorkflow(body)));

      runs.forEach((run, index) => {
        const { stepId, error } = cases[index];
        expect(run.state.status).toBe(WorkflowStatus.Failed);
        expect(run.state.error).toMatch(error);
        const failed = run.state.steps.find((step) => step.stepId === stepId)!;
        // A validation error is the user's to fix: one attempt, no retry.
        expect(failed).toMatchObject({ attempts: 1 });
        expect(run.state.metrics.retryCount).toBe(0);
        expect(run.events.filter((event) => event.type === WorkflowEventType.Error)).toEqual([
          expect.objectContaining({
            stepId,
            message:
              typeof error === 'string' ? expect.stringContaining(error) : expect.stringMatching(error),
          }),
        ]);
      });

      expect(await listSites()).toEqual(sitesBefore);
      expect(await sitesOnDisk()).toEqual(diskBefore);
    });

    it.each([
      {
        language: 'es',
        request: 'Crea un sitio web para una panadería familiar en Sevilla con horario',
        name: 'Panadería Familiar',
        home: 'Inicio',
      },
      {
        language: 'fr',
        request: 'Crée un site pour une boulangerie familiale à Lyon avec les horaires',
        name: 'Boulangerie Familiale',
        home: 'Accueil',
      },
      {
        language: 'de',
        request: 'Erstelle eine Webseite für eine Bäckerei in Köln mit Öffnungszeiten',
        name: 'Bäckerei',
        home: 'Start',
      },
      {
        language: 'pt',
        request: 'Cria um site para uma padaria no Porto com horário',
        name: 'Padaria',
        home: 'Início',
      },
      {
        language: 'it',
        request: 'Crea un sito per una panetteria a Bologna con orari',
        name: 'Panetteria',
        home: 'Home',
      },
    ])(
      'writes the site in the language of a $language request: lang, navigation and copy, with no warning',
      async ({ language, request, name, home }) => {
        const workflow = await runWorkflow({
          type: WorkflowType.CreateSite,
          sessionId: `session-${language}-${namespace.id}`,
          input: { request },
        });
        const { siteId } = deployOf(workflow);
        expect(logsOf(workflow, 'planner').filter((event) => event.level === 'warning')).toEqual([]);
        expect(blockingFindings(gateAudit(workflow).findings)).toEqual([]);
        const served = await expectServedSite(siteId, name);
        expect(served.document.documentElement.lang).toBe(language);
        expect(served.document.querySelector('nav a[aria-current="page"]')?.textContent).toBe(home);
        expect(served.document.querySelector('.hero .lead')?.textContent).toContain(name.split(' ')[0]);
      },
    );

    it('writes an English site for a request in a language sites are not written in, and says so in the log', async () => {
      const workflow = await runWorkflow({
        type: WorkflowType.CreateSite,
        sessionId: `session-dutch-${namespace.id}`,
        input: { request: 'Maak een website voor mijn bakkerij in Utrecht met openingstijden' },
      });
      const { siteId } = deployOf(workflow);
      expect(logsOf(workflow, 'planner').map((event) => event.message)).toContainEqual(
        'request appears to be in "nl", which sites cannot be written in yet; the site will be in English',
      );
      expect(blockingFindings(gateAudit(workflow).findings)).toEqual([]);
      const served = await open(`/sites/${siteId}/`);
      expect(served.document.documentElement.lang).toBe('en');
      expect(served.document.querySelector('.hero .lead')?.textContent).toContain('bakkerij');
    });

    it('ignores unknown preferences with a warning and applies the known ones', async () => {
      const workflow = await runWorkflow({
        type: WorkflowType.CreateSite,
        sessionId: `session-preferences-${namespace.id}`,
        input: { request: 'Create a website for a bakery in Lyon' },
        preferences: { theme: 'light', sparkles: true, tone: 'grumpy' },
      });
      const { siteId } = deployOf(workflow);
      const warnings = logsOf(workflow, 'memory')
        .filter((event) => event.level === 'warning')
        .map((event) => event.message);
      expect(warnings).toEqual(
        expect.arrayContaining([
          expect.stringContaining('unknown preference "sparkles" ignored'),
          expect.stringContaining('preference tone="grumpy" ignored'),
        ]),
      );
      const css = await (await visitor.get(`/sites/${siteId}/styles.css`)).text();
      expect(css).toContain('color-scheme: light');
      expect(blockingFindings(gateAudit(workflow).findings)).toEqual([]);
    });
  });
});

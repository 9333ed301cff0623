import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WorkflowEvent, WorkflowState, WorkflowStatus } from '@app/contracts';
import { Page } from 'playwright-core';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { TestBrowser, VIEWPORTS, ViewportName } from './support/browser';
import { buildDashboard } from './support/dashboard-build';
import { TEST_ADMIN_KEY, TestNamespace, freePort } from './support/test-environment';
import { waitFor } from './support/wait-for';

const ROOT = resolve(__dirname, '..');
/** Screenshots of every view, kept after the run (git-ignored). */
const ARTIFACTS = join(ROOT, 'test-artifacts', 'dashboard');
const LIVE_MS = 60_000;
/** The views whose table stacks its rows into cards on a phone, and that table. */
const STACKED_TABLES: Record<string, string> = {
  agents: 'agents-table',
  queues: 'queues-table',
  keys: 'keys-table',
  sites: 'sites-table',
  site: 'versions-table',
};

/**
 * The dashboard in a real headless Chromium, against the gateway, orchestrator and metrics as
 * separate processes: signing in, starting and watching a CREATE_SITE, cancelling, surviving a
 * gateway restart, tenant isolation, bad input, keyboard use, accessibility and screenshots.
 */
describe('the dashboard in a browser', () => {
  const namespace = new TestNamespace();
  let apps: Record<'gateway' | 'orchestrator' | 'metrics', AppProcess>;
  let appEnv: Record<string, string>;
  let gatewayPort: number;
  let api: ApiClient;
  let browser: TestBrowser;
  let sitesDir: string;
  let dashboardDir: string;
  let clientKey: string;

  const url = (path: string) => `${apps.gateway.url}/dashboard${path}`;
  const state = (workflowId: string) => api.json<WorkflowState>(`/workflows/${workflowId}`);

  /** A signed-in page: the key typed into the sign-in form, as a person does. */
  async function signedIn(key = TEST_ADMIN_KEY, viewport: ViewportName = 'desktop'): Promise<Page> {
    const { page } = await browser.newPage(apps.gateway.url, viewport);
    await page.goto(url('/'));
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('API key').waitFor({ state: 'detached' });
    return page;
  }

  async function lifecycles(page: Page): Promise<Record<string, string>> {
    return page.$$eval('[data-testid^="node-"]', (nodes) =>
      Object.fromEntries(
        nodes.map((node) => [
          node.getAttribute('data-testid')!.slice(5),
          node.getAttribute('data-lifecycle') ?? '',
        ]),
      ),
    );
  }

  /** How much of the graph its panel hides sideways (0: every node in view without scrolling). */
  const graphOverflow = (page: Page) =>
    page.$eval('.graph-scroll', (scroller) => scroller.scrollWidth - scroller.clientWidth);

  /** Records, in the page, every lifecycle each graph node shows, to prove the graph changed live. */
  async function recordLifecycles(page: Page): Promise<void> {
    await page.evaluate(() => {
      const seen: Record<string, string[]> = {};
      (window as unknown as { seenLifecycles: typeof seen }).seenLifecycles = seen;
      const note = (element: Element) => {
        const id = element.getAttribute('data-testid');
        const lifecycle = element.getAttribute('data-lifecycle');
        if (!id?.startsWith('node-') || !lifecycle) return;
        const list = (seen[id.slice(5)] ??= []);
        if (list.at(-1) !== lifecycle) list.push(lifecycle);
      };
      document.querySelectorAll('[data-testid^="node-"]').forEach(note);
      new MutationObserver((mutations) => {
        for (const mutation of mutations) {
          if (mutation.target instanceof Element) note(mutation.target);
          mutation.addedNodes.forEach((node) => {
            if (node instanceof Element) {
              note(node);
              node.querySelectorAll('[data-testid^="node-"]').forEach(note);
            }
          });
        }
      }).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['data-lifecycle'],
      });
    });
  }

  async function expectAllCompleted(page: Page, workflowId: string): Promise<void> {
    const steps = (await state(workflowId)).steps.map((step) => step.stepId);
    await waitFor(
      async () => {
        const shown = await lifecycles(page);
        return steps.every((stepId) => shown[stepId] === 'COMPLETED') ? shown : undefined;
      },
      `every node of ${workflowId} COMPLETED on the page`,
      LIVE_MS,
    );
    await page.getByTestId('run-status').filter({ hasText: WorkflowStatus.Completed }).waitFor();
  }

  beforeAll(async () => {
    await namespace.prepare();
    sitesDir = await mkdtemp(join(tmpdir(), 'dashboard-e2e-sites-'));
    dashboardDir = await mkdtemp(join(tmpdir(), 'dashboard-e2e-build-'));
    // The page under test is built from the sources now, never a stale build.
    await buildDashboard(dashboardDir);
    gatewayPort = await freePort();
    appEnv = namespace.env({
      SITES_DIR: sitesDir,
      DASHBOARD_DIR: dashboardDir,
      AGENT_MODULES: 'test/support/test-agents.ts',
    });
    const [gateway, orchestrator, metrics] = await Promise.all([
      AppProcess.start('gateway', { ...appEnv, PORT: String(gatewayPort) }),
      AppProcess.start('orchestrator', appEnv),
      AppProcess.start('metrics', appEnv),
    ]);
    apps = { gateway, orchestrator, metrics };
    api = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    await api.defineWorkflow('WAITS', [{ id: 'wait', agent: 'test-wait' }]);
    await api.defineWorkflow('SLOW_CHAIN', [
      { id: 'first', agent: 'test-echo' },
      { id: 'second', agent: 'test-echo', dependsOn: ['first'] },
      { id: 'third', agent: 'test-echo', dependsOn: ['second'] },
      { id: 'fourth', agent: 'test-echo', dependsOn: ['third'] },
    ]);
    const approval = await api.post('/workflow-definitions', {
      type: 'APPROVED_BY_A_PERSON',
      description: 'first, a person approves, then',
      steps: [
        { id: 'first', agent: 'test-echo', dependsOn: [] },
        { id: 'approve', approval: { onTimeout: 'fail' }, dependsOn: ['first'] },
        { id: 'then', agent: 'test-echo', dependsOn: ['approve'] },
      ],
    });
    expect(approval.status).toBe(201);
    const fanOut = await api.post('/workflow-definitions', {
      type: 'FANS_OUT',
      description: 'a plan, a page per item, a join',
      steps: [
        { id: 'plan', agent: 'test-items', dependsOn: [] },
        { id: 'pages', agent: 'test-item', dependsOn: ['plan'], forEach: { from: 'plan', path: 'items' } },
        { id: 'join', agent: 'test-join', dependsOn: ['pages'] },
      ],
    });
    expect(fanOut.status).toBe(201);
    const created = await api.post('/admin/keys', {
      role: 'client',
      tenantId: 'acme',
      name: 'dashboard e2e client',
    });
    clientKey = ((await created.json()) as { key: string }).key;
    browser = await TestBrowser.launch(ARTIFACTS);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(Object.values(apps ?? {}).map((app) => app.stop()));
    await namespace.dispose();
    await rm(sitesDir, { recursive: true, force: true });
    await rm(dashboardDir, { recursive: true, force: true });
  });

  afterEach(() => {
    // Every page of every test: no console error, no failed script, no CSP violation.
    expect(browser.problems.splice(0)).toEqual([]);
  });

  it('refuses a wrong key with a message on the page, then signs in with the right one', async () => {
    const { page } = await browser.newPage(apps.gateway.url);
    await page.goto(url('/'));
    await page.getByLabel('API key').fill('not-a-key-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: /key/i }).waitFor();
    // A refused key is expected to answer 401 in the console; this test's own noise, not a fault.
    browser.problems.splice(0);
    await page.getByLabel('API key').fill(TEST_ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('API key').waitFor({ state: 'detached' });
    expect(page.url()).not.toContain(TEST_ADMIN_KEY);
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(TEST_ADMIN_KEY);
    await page.context().close();
  });

  it('starts a CREATE_SITE from the page, shows every node of its graph turn COMPLETED live, and opens the published site', async () => {
    const page = await signedIn();
    await page.goto(url('/start'));
    await page.getByLabel('Workflow type').selectOption('CREATE_SITE');
    await page.getByLabel('Request').fill('Create a portfolio website for a ceramic artist in Lisbon');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForURL(/\/dashboard\/runs\/[0-9a-f-]{36}$/);
    const workflowId = page.url().split('/').at(-1)!;
    await page.getByTestId('node-planner').waitFor();
    await recordLifecycles(page);

    await expectAllCompleted(page, workflowId);
    const seen = await page.evaluate(
      () => (window as unknown as { seenLifecycles: Record<string, string[]> }).seenLifecycles,
    );
    // The last nodes were seen before they completed: the graph changed in front of us.
    expect(seen.deploy?.length).toBeGreaterThan(1);
    expect(seen.deploy?.at(-1)).toBe('COMPLETED');
    // Its six columns fit the panel, narrowed, with no scrolling sideways.
    expect(await graphOverflow(page)).toBe(0);

    const link = page.getByTestId('site-link');
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^\/sites\/[a-z0-9-]+\/$/);
    const [site] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await site.waitForLoadState();
    expect(await site.locator('h1').first().textContent()).toBeTruthy();

    // Its preview in the sites view loads the site's own stylesheet and images, as the site does.
    const siteId = href!.split('/')[2];
    await page.goto(url(`/sites/${siteId}`));
    await page.frameLocator('[data-testid="site-preview"]').locator('h1').first().waitFor();
    const preview = page.frames().find((frame) => frame.url().includes(`/sites/${siteId}/`))!;
    expect(
      await preview.evaluate(() => ({
        styled: [...document.styleSheets].some((sheet) => sheet.cssRules.length > 0),
        imagesBroken: [...document.images].filter((image) => image.complete && image.naturalWidth === 0)
          .length,
      })),
    ).toEqual({ styled: true, imagesBroken: 0 });
    await page.context().close();
  });

  it('on a phone, the run view shows the whole graph, and a log line cut at the edge of the screen is read whole by tapping it', async () => {
    const workflowId = await api.startWorkflow({
      type: 'CREATE_SITE',
      input: { request: 'Create a portfolio website for a wildlife photographer' },
      sessionId: 'dashboard-log-line',
    });
    await waitFor(
      async () => ((await state(workflowId)).status === WorkflowStatus.Completed ? true : undefined),
      `${workflowId} COMPLETED`,
      LIVE_MS,
    );
    // The log is stored apart from the run's state: wait for its last line, then for the page to show them all.
    const stored = await waitFor(async () => {
      const { items } = await api.json<{ items: { message: string }[] }>(`/workflows/${workflowId}/logs`);
      return items.some((line) => line.message.startsWith('step deploy completed')) ? items : undefined;
    }, `${workflowId}'s last log line stored`);
    const page = await signedIn(TEST_ADMIN_KEY, 'mobile');
    await page.goto(url(`/runs/${workflowId}`));
    await page.getByText(`${stored.length} of ${stored.length} lines`).waitFor();
    // Top to bottom, with content and design side by side within the screen.
    expect(await graphOverflow(page)).toBe(0);
    // The rows whose message the screen cuts off: a phone has no hover to show the rest.
    const cut = await page.$$eval('[data-testid="log-line"] .log-message', (messages) =>
      messages
        .filter((message) => message.scrollWidth > message.clientWidth)
        .map((message) => message.textContent!),
    );
    expect(cut.length).toBeGreaterThan(0);
    const message = cut.at(-1)!;
    const row = page.getByTestId('log-line').filter({ has: page.getByText(message, { exact: true }) });
    await row.click();
    expect(await row.getAttribute('aria-expanded')).toBe('true');

    const whole = page.getByTestId('log-line-whole');
    expect(await whole.locator('.log-whole-message').textContent()).toBe(message);
    expect(
      await whole.evaluate((element) => ({
        cut: element.scrollWidth > element.clientWidth,
        inView: element.getBoundingClientRect().right <= window.innerWidth,
      })),
    ).toEqual({ cut: false, inView: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      VIEWPORTS.mobile.width,
    );

    await whole.getByRole('button', { name: 'Close' }).click();
    await whole.waitFor({ state: 'detached' });
    expect(await row.getAttribute('aria-expanded')).toBe('false');
    await page.context().close();
  });

  it('cancels a running workflow from its run view and shows CANCELLED', async () => {
    const workflowId = await api.startWorkflow({ type: 'WAITS', input: {}, sessionId: 'dashboard-cancel' });
    const page = await signedIn();
    await page.goto(url(`/runs/${workflowId}`));
    await page
      .getByTestId('node-wait')
      .and(page.locator('[data-lifecycle="EXECUTING"]'))
      .waitFor({ timeout: LIVE_MS });
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page
      .getByTestId('run-status')
      .filter({ hasText: WorkflowStatus.Cancelled })
      .waitFor({ timeout: LIVE_MS });
    expect((await state(workflowId)).status).toBe(WorkflowStatus.Cancelled);
    await page.context().close();
  });

  it('pauses, resumes and approves a waiting step from the run view', async () => {
    const workflowId = await api.startWorkflow({
      type: 'APPROVED_BY_A_PERSON',
      input: {},
      sessionId: 'dashboard-approve',
    });
    const page = await signedIn();
    await page.goto(url(`/runs/${workflowId}`));
    const status = (value: WorkflowStatus) =>
      page.getByTestId('run-status').filter({ hasText: value }).waitFor({ timeout: LIVE_MS });
    await page.getByTestId('approval-approve').waitFor({ timeout: LIVE_MS });
    await status(WorkflowStatus.Waiting);
    await page.getByRole('button', { name: 'Pause' }).click();
    await status(WorkflowStatus.Paused);
    await page.getByRole('button', { name: 'Resume' }).click();
    await status(WorkflowStatus.Waiting);
    page.once('dialog', (dialog) => void dialog.accept('ship it'));
    await page.getByTestId('approval-approve').getByRole('button', { name: 'Approve' }).click();
    await status(WorkflowStatus.Completed);
    await page.getByTestId('approval-approve').waitFor({ state: 'detached' });
    expect(await api.json(`/workflows/${workflowId}/outputs/approve`)).toEqual({
      stepId: 'approve',
      output: { approved: true, by: 'key bootstrap', comment: 'ship it' },
    });
    await page.context().close();
  });

  it('replays a finished run from a step chosen in its graph, and compares the two runs', async () => {
    const original = await api.startWorkflow({
      type: 'SLOW_CHAIN',
      input: {},
      sessionId: 'dashboard-replay',
    });
    await waitFor(
      async () => ((await state(original)).status === WorkflowStatus.Completed ? true : undefined),
      'the run to complete',
    );
    const page = await signedIn();
    await page.goto(url(`/runs/${original}?step=third`));
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('replay-step').click();
    await page.waitForURL((address) => !address.pathname.endsWith(original), { timeout: LIVE_MS });
    const replay = page.url().split('/').at(-1)!;
    await page
      .getByTestId('run-status')
      .filter({ hasText: WorkflowStatus.Completed })
      .waitFor({ timeout: LIVE_MS });
    expect(await state(replay)).toMatchObject({ replayOf: { workflowId: original, fromStep: 'third' } });
    await expect(page.getByTestId('replay-of').textContent()).resolves.toContain(
      `Replay of ${original} from step third`,
    );

    await page.getByRole('link', { name: 'Compare with it' }).click();
    await page.getByTestId('diff-table').waitFor({ timeout: LIVE_MS });
    const rows = await page.$$eval('[data-testid^="diff-"] ', (cells) =>
      cells
        .filter((cell) => cell.tagName === 'TR')
        .map((row) => [...row.children].map((cell) => cell.textContent ?? '')),
    );
    expect(rows.map((row) => [row[0], row[1], row[2]])).toEqual([
      ['first', 'same', 'reused'],
      ['second', 'same', 'reused'],
      ['third', 'same', expect.stringMatching(/\d/)],
      ['fourth', 'same', expect.stringMatching(/\d/)],
    ]);
    await page.context().close();
  });

  it('says the connection is lost while the gateway restarts, then resumes the run with no missing event', async () => {
    const sleepMs = { first: 500, second: 4000, third: 4000, fourth: 500 };
    const workflowId = await api.startWorkflow({
      type: 'SLOW_CHAIN',
      input: { sleepMs },
      sessionId: 'dashboard-restart',
    });
    const page = await signedIn();
    await page.goto(url(`/runs/${workflowId}`));
    await page
      .getByTestId('node-first')
      .and(page.locator('[data-lifecycle="COMPLETED"]'))
      .waitFor({ timeout: LIVE_MS });

    await apps.gateway.stop();
    await page
      .getByTestId('connection')
      .filter({ hasText: /lost|reconnecting/i })
      .waitFor({ timeout: LIVE_MS });
    apps.gateway = await AppProcess.start('gateway', { ...appEnv, PORT: String(gatewayPort) });
    await page
      .getByTestId('connection')
      .filter({ hasText: /reconnected/i })
      .waitFor({ timeout: LIVE_MS });

    await expectAllCompleted(page, workflowId);
    // Every event of the run reached the page exactly once, in order.
    const stored = await api.json<WorkflowEvent[]>(`/workflows/${workflowId}/events?after=0`);
    const lastEventId = stored.at(-1)!.eventId;
    await waitFor(
      async () =>
        (await page.getByTestId('run-view').getAttribute('data-last-event-id')) === String(lastEventId)
          ? true
          : undefined,
      `event ${lastEventId} on the page`,
      LIVE_MS,
    );
    expect(await page.getByTestId('run-view').getAttribute('data-events-received')).toBe(String(lastEventId));
    // Each log line once, though the page read the stored lines and the live ones across a reconnect.
    for (const stepId of Object.keys(sleepMs)) {
      const line = page.getByTestId('log-stream').getByText(`echo ${stepId}`, { exact: true });
      await line.first().waitFor();
      expect(await line.count()).toBe(1);
    }
    // The reconnection attempts while the gateway was down are logged by the browser; expected here.
    browser.problems.splice(0);
    await page.context().close();
  }, 120_000);

  it('opens Bull Board from the queues view for an admin, in a tab of its own that loads without errors', async () => {
    const page = await signedIn();
    await page.goto(url('/queues'));
    await page.getByTestId('queues-table').waitFor();
    const [board] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByRole('button', { name: 'Open Bull Board' }).click(),
    ]);
    const errors: string[] = [];
    // Bull Board's page asks Google Fonts for its typeface; this machine has no internet, and the
    // page falls back to the system font. Anything else is a fault.
    board.on('requestfailed', (request) => {
      if (!request.url().startsWith('https://fonts.googleapis.com/')) errors.push(`failed: ${request.url()}`);
    });
    board.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('ERR_NAME_NOT_RESOLVED'))
        errors.push(message.text());
    });
    board.on('pageerror', (error) => errors.push(error.message));
    await board.waitForURL(/\/admin\/queues\/board\/?$/);
    // The board's own app lists the queues, the agents' step queues among them.
    await board.getByText('steps.test-echo@1').first().waitFor({ timeout: LIVE_MS });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows a client key only its tenant’s runs and no admin pages', async () => {
    const client = api.as(clientKey);
    const ownRun = await client.startWorkflow({ type: 'WAITS', input: {}, sessionId: 'acme-run' });
    const otherRun = await api.startWorkflow({ type: 'WAITS', input: {}, sessionId: 'default-run' });
    const page = await signedIn(clientKey);
    await page.locator(`[data-testid="run-row"][data-run-id="${ownRun}"]`).waitFor({ timeout: LIVE_MS });
    const shown = await page.$$eval('[data-testid="run-row"]', (rows) =>
      rows.map((row) => row.getAttribute('data-run-id')),
    );
    expect(shown).not.toContain(otherRun);
    const nav = page.getByRole('navigation');
    expect(await nav.getByRole('link', { name: 'Keys' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Queues' }).count()).toBe(0);
    await page.goto(url('/keys'));
    await page.getByText(/admin/i).first().waitFor();
    await page.goto(url(`/runs/${otherRun}`));
    await page.getByText(`No workflow ${otherRun}`).waitFor();
    browser.problems.splice(0); // the 404s of the two refused pages
    await Promise.all([ownRun, otherRun].map((id) => api.post(`/workflows/${id}/cancel`)));
    await page.context().close();
  });

  it('explains bad input on the page: a nonsense filter, a run that does not exist, a revoked key', async () => {
    await api.startWorkflow({ type: 'SLOW_CHAIN', input: {}, sessionId: 'bad-input' });
    const page = await signedIn();
    await page.goto(url('/?status=BANANA&from=yesterday'));
    await page.getByText(/ignored.*status=BANANA/i).waitFor();
    await page.getByTestId('run-row').first().waitFor({ timeout: LIVE_MS });

    const missing = '00000000-0000-4000-8000-000000000000';
    await page.goto(url(`/runs/${missing}`));
    await page.getByText(`No workflow ${missing}`).waitFor();
    await page.goto(url('/runs/not-a-workflow-id'));
    await page.getByRole('alert').waitFor();

    // A key revoked while its page is open (the server drops its socket), and one revoked while
    // its tab was elsewhere (checked again when the page loads): both back at sign-in, saying why.
    const created = await api.post('/admin/keys', { role: 'client', tenantId: 'acme', name: 'soon revoked' });
    const { key, id } = (await created.json()) as { key: string; id: string };
    const open = await signedIn(key);
    const away = await signedIn(key);
    await away.goto('about:blank');
    await api.request('DELETE', `/admin/keys/${id}`);
    await away.goto(url('/'));
    for (const revoked of [open, away]) {
      await revoked.getByLabel('API key').waitFor();
      await revoked
        .getByRole('alert')
        .filter({ hasText: /revoked/i })
        .waitFor();
    }
    browser.problems.splice(0); // the refused requests behind these messages
    await Promise.all([page, open, away].map((each) => each.context().close()));
  });

  it('works from the keyboard: / searches, j and k move, Enter opens, ? shows the keys', async () => {
    for (let index = 0; index < 3; index += 1) {
      await api.startWorkflow({ type: 'SLOW_CHAIN', input: {}, sessionId: `keyboard-${index}` });
    }
    const page = await signedIn();
    await page.getByTestId('run-row').nth(2).waitFor({ timeout: LIVE_MS });
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const selected = page.locator('[data-testid="run-row"][aria-selected="true"]');
    const selectedId = await selected.getAttribute('data-run-id');
    expect(selectedId).toBe(await page.getByTestId('run-row').nth(0).getAttribute('data-run-id'));
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/dashboard/runs/${selectedId}$`));
    await page.keyboard.press('?');
    await page.getByRole('dialog').getByText(/j/).first().waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await page.context().close();
  });

  it.each(['desktop', 'mobile'] as const)(
    'every view at %s width, light and dark: a screenshot, and axe finds nothing serious',
    async (viewport) => {
      const workflowId = await api.startWorkflow({
        type: 'SLOW_CHAIN',
        input: {},
        sessionId: `views-${viewport}`,
      });
      await waitFor(
        async () => ((await state(workflowId)).status === WorkflowStatus.Completed ? true : undefined),
        `${workflowId} COMPLETED`,
        LIVE_MS,
      );
      // A run waiting for a person, a replay of the finished one to compare, and a fan-out.
      const waiting = await api.startWorkflow({
        type: 'APPROVED_BY_A_PERSON',
        input: {},
        sessionId: `views-${viewport}`,
      });
      const replayed = await api.post(`/workflows/${workflowId}/replay`, { fromStep: 'third' });
      expect(replayed.status).toBe(202);
      const replay = ((await replayed.json()) as { workflowId: string }).workflowId;
      const fanOut = await api.startWorkflow({
        type: 'FANS_OUT',
        input: { count: 12, itemSleepMs: 50 },
        sessionId: `views-${viewport}`,
      });
      for (const [id, status] of [
        [waiting, WorkflowStatus.Waiting],
        [replay, WorkflowStatus.Completed],
        [fanOut, WorkflowStatus.Completed],
      ] as const)
        await waitFor(
          async () => ((await state(id)).status === status ? true : undefined),
          `${id} ${status}`,
          LIVE_MS,
        );
      const page = await signedIn(TEST_ADMIN_KEY, viewport);
      const views: [string, string][] = [
        ['runs', '/'],
        ['run', `/runs/${workflowId}`],
        ['run-waiting', `/runs/${waiting}`],
        ['run-fan-out', `/runs/${fanOut}`],
        ['diff', `/runs/${replay}/diff/${workflowId}`],
        ['start', '/start'],
        ['agents', '/agents'],
        ['queues', '/queues'],
        ['sites', '/sites'],
        ['keys', '/keys'],
      ];
      // The site the CREATE_SITE test published: its versions and a preview.
      const [site] = await api.json<{ siteId: string }[]>('/sites');
      if (site) views.push(['site', `/sites/${site.siteId}`]);
      const findings: Record<string, unknown> = {};
      // Both themes, as the system asks for them (contrast is checked in each).
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        for (const [name, path] of views) {
          const shot = `${name}-${viewport}${colorScheme === 'dark' ? '-dark' : ''}`;
          await page.goto(url(path));
          await page.getByRole('main').waitFor();
          await page.waitForLoadState('networkidle');
          await browser.screenshot(page, shot);
          const violations = await browser.axe(page);
          if (violations.length > 0) findings[shot] = violations;
          // Nothing wider than the screen: a phone scrolls down, never sideways (tables scroll in place).
          const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
          if (pageWidth > VIEWPORTS[viewport].width) findings[`${shot} width`] = pageWidth;
          // A table whose rows stack on a phone shows every cell: none is off the screen.
          const stacked = STACKED_TABLES[name];
          if (viewport === 'mobile' && stacked) {
            const hidden = await page
              .getByTestId(stacked)
              .evaluate((table) => table.scrollWidth - table.parentElement!.clientWidth);
            if (hidden > 0) findings[`${shot} table hides`] = hidden;
          }
        }
      }
      expect(findings).toEqual({});
      await page.context().close();
    },
    180_000,
  );
});

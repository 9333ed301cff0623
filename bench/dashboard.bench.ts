import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { Page } from 'playwright-core';
import { ApiClient } from '../test/support/api-client';
import { AppProcess } from '../test/support/app-process';
import { TestBrowser } from '../test/support/browser';
import { buildDashboard } from '../test/support/dashboard-build';
import { TEST_ADMIN_KEY, TEST_DATABASE_URL, TestNamespace } from '../test/support/test-environment';
import { BenchRow, percentile, row } from './bench-row';

const RUNS = 10_000;
/** The baseline tenant: the same views and queries over this few runs. */
const SMALL_TENANT = 'small';
const SMALL_RUNS = 20;
const LISTING_ROUNDS = 30;
const RENDERS = 5;
const BUNDLE_TARGET_KB = 150;

/**
 * The dashboard at 10,000 runs, each figure beside the same measure over 20 runs (one tenant's)
 * in the same run: the listing endpoint's p95 over a mix of filters and deep cursor pages, the
 * runs view's first render and a filter change in Chromium, and the bundle's gzipped size against
 * the 150 kB budget.
 */
export default async function dashboard(): Promise<BenchRow[]> {
  const namespace = await new TestNamespace().prepare();
  const buildDir = await mkdtemp(join(tmpdir(), 'dashboard-bench-'));
  let gateway: AppProcess | undefined;
  let browser: TestBrowser | undefined;
  try {
    await buildDashboard(buildDir);
    await seedRuns(namespace.schema);
    gateway = await AppProcess.start(
      'gateway',
      namespace.env({ DASHBOARD_DIR: buildDir, RATE_LIMIT_PER_MINUTE: '1000000' }),
    );
    const admin = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    const created = await admin.post('/admin/keys', {
      role: 'client',
      tenantId: SMALL_TENANT,
      name: 'bench',
    });
    const smallKey = ((await created.json()) as { key: string }).key;

    const listing = {
      large: await listingLatencies(admin, undefined),
      small: await listingLatencies(admin, SMALL_TENANT),
    };

    browser = await TestBrowser.launch(join(buildDir, 'screens'));
    const views = {
      large: await viewTimings(browser, gateway.url, TEST_ADMIN_KEY),
      small: await viewTimings(browser, gateway.url, smallKey),
    };
    const bundleKb = await gzippedKb(buildDir);

    const p95 = (values: number[]) =>
      percentile(
        [...values].sort((a, b) => a - b),
        95,
      );
    const median = (values: number[]) =>
      percentile(
        [...values].sort((a, b) => a - b),
        50,
      );
    const against = `ms at ${SMALL_RUNS} runs`;
    return [
      row({
        benchmark: 'dashboard',
        metric: `GET /workflows p95 at ${RUNS.toLocaleString('en')} runs (filters, text, deep pages)`,
        unit: 'ms',
        ours: p95(listing.large),
        baseline: p95(listing.small),
        baselineName: against,
        target: '<= 2',
      }),
      row({
        benchmark: 'dashboard',
        metric: `runs view first render at ${RUNS.toLocaleString('en')} runs (Chromium, median)`,
        unit: 'ms',
        ours: median(views.large.firstRender),
        baseline: median(views.small.firstRender),
        baselineName: against,
        target: '<= 1.5',
      }),
      row({
        benchmark: 'dashboard',
        metric: `runs view status filter change at ${RUNS.toLocaleString('en')} runs (median)`,
        unit: 'ms',
        ours: median(views.large.filterChange),
        baseline: median(views.small.filterChange),
        baselineName: against,
        target: '<= 1.5',
      }),
      row({
        benchmark: 'dashboard',
        metric: 'bundle, gzipped (JS + CSS)',
        unit: 'kB',
        ours: bundleKb,
        baseline: BUNDLE_TARGET_KB,
        baselineName: 'kB budget',
        target: '<= 1',
      }),
    ];
  } finally {
    await browser?.close();
    await gateway?.stop();
    await namespace.dispose();
    await rm(buildDir, { recursive: true, force: true });
  }
}

/**
 * 10,000 projected runs over a week, as the metrics service writes them: mostly completed, some
 * failed (with an error to search), running and cancelled; two types; eleven tenants, one of
 * which (the baseline's) holds 20.
 */
async function seedRuns(schema: string): Promise<void> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${schema}"`);
    await client.query(
      `INSERT INTO workflow_runs (id, type, status, tenant_id, session_id, created_at, updated_at, finished_at,
                                  error, input, completed_steps, total_steps, last_event_id)
       SELECT gen_random_uuid(),
              CASE WHEN n % 5 = 0 THEN 'UPDATE_SITE' ELSE 'CREATE_SITE' END,
              status, tenant, 'bench-' || n, created, created + interval '2 seconds',
              CASE WHEN status = 'RUNNING' THEN NULL ELSE created + interval '2 seconds' END,
              CASE WHEN status = 'FAILED' THEN 'audit found ' || (n % 7) || ' blocking issues on page ' || n END,
              jsonb_build_object('request', 'Create a site for business number ' || n || ' in ' ||
                (ARRAY['Porto', 'Lisbon', 'Sevilla', 'Lyon', 'Turin'])[n % 5 + 1]),
              7, 7, 40
       FROM (SELECT n,
                    (ARRAY['COMPLETED','COMPLETED','COMPLETED','COMPLETED','COMPLETED','COMPLETED','COMPLETED',
                           'FAILED','RUNNING','CANCELLED'])[n % 10 + 1] AS status,
                    CASE WHEN n <= $2 THEN $3 ELSE 'tenant-' || (n % 10) END AS tenant,
                    now() - (n * interval '1 minute') AS created
             FROM generate_series(1, $1) AS n) AS seeded`,
      [RUNS, SMALL_RUNS, SMALL_TENANT],
    );
    await client.query('ANALYZE workflow_runs');
  } finally {
    await client.end();
  }
}

/** Milliseconds of each listing request: a mix of filters, a text search and cursor pages 1-20. */
async function listingLatencies(api: ApiClient, tenantId: string | undefined): Promise<number[]> {
  const tenant = tenantId ? `&tenantId=${tenantId}` : '';
  const from = new Date(Date.now() - 2 * 86_400_000).toISOString();
  const queries = [
    `?limit=100${tenant}`,
    `?limit=100&status=FAILED${tenant}`,
    `?limit=100&type=UPDATE_SITE${tenant}`,
    `?limit=100&q=lisbon${tenant}`,
    `?limit=100&q=blocking%20issues${tenant}`,
    `?limit=100&from=${from}${tenant}`,
  ];
  const timed = async (path: string) => {
    const started = performance.now();
    const response = await api.get(`/workflows${path}`);
    const page = (await response.json()) as { nextCursor: string | null };
    if (!response.ok) throw new Error(`GET /workflows${path}: ${response.status} ${JSON.stringify(page)}`);
    return { ms: performance.now() - started, nextCursor: page.nextCursor };
  };
  const latencies: number[] = [];
  for (let round = 0; round < LISTING_ROUNDS; round += 1) {
    for (const query of queries) latencies.push((await timed(query)).ms);
    // Deep pages: follow the cursor as the list does while scrolling.
    let cursor: string | null = (await timed(`?limit=100${tenant}`)).nextCursor;
    for (let page = 0; page < 20 && cursor; page += 1) {
      const next = await timed(`?limit=100${tenant}&cursor=${encodeURIComponent(cursor)}`);
      latencies.push(next.ms);
      cursor = next.nextCursor;
    }
  }
  return latencies;
}

/** First render of the runs view (navigation start to the first row) and a status filter change. */
async function viewTimings(
  browser: TestBrowser,
  baseUrl: string,
  key: string,
): Promise<{ firstRender: number[]; filterChange: number[] }> {
  const { context, page } = await browser.newPage(baseUrl);
  try {
    await page.goto('/dashboard/');
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('run-row').first().waitFor();
    const firstRender: number[] = [];
    const filterChange: number[] = [];
    for (let round = 0; round < RENDERS; round += 1) {
      await page.goto('/dashboard/');
      await page.getByTestId('run-row').first().waitFor();
      firstRender.push(await page.evaluate(() => performance.now()));
      filterChange.push(await timeStatusFilter(page));
    }
    return { firstRender, filterChange };
  } finally {
    await context.close();
  }
}

async function timeStatusFilter(page: Page): Promise<number> {
  const started = performance.now();
  await page.getByLabel('Status').selectOption('FAILED');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid="run-row"]')];
    return rows.length > 0 && rows.every((element) => element.getAttribute('data-status') === 'FAILED');
  });
  return performance.now() - started;
}

async function gzippedKb(buildDir: string): Promise<number> {
  const assets = join(buildDir, 'assets');
  let bytes = 0;
  for (const file of await readdir(assets)) {
    if (file.endsWith('.js') || file.endsWith('.css'))
      bytes += gzipSync(await readFile(join(assets, file))).length;
  }
  return bytes / 1024;
}

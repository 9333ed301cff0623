import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { renderSite } from '../libs/agents/src/builder/site-renderer';
import { writeCopyByRules } from '../libs/agents/src/content/site-copy.rules';
import { designSite } from '../libs/agents/src/design/design.agent';
import { planSiteByRules } from '../libs/agents/src/planner/site-request.rules';
import { slugify } from '../libs/agents/src/text.format';
import { TestBrowser, VIEWPORTS, ViewportName } from './support/browser';
import { StaticFilesServer } from './support/static-files-server';

const ARTIFACTS = join(__dirname, '..', 'test-artifacts', 'sites');

// Five sites of different kinds and languages, each with the page that holds what it asked for.
const SITES: Array<{ request: string; page: string }> = [
  { request: 'A bike repair shop in Porto with prices and opening hours', page: 'hours.html' },
  {
    request: 'A wedding site for Ana and Luis on 12 September 2026 in Sintra with RSVP info and travel tips',
    page: 'rsvp.html',
  },
  { request: 'Crea un sitio web para una panadería en Sevilla con precios y horario', page: 'prices.html' },
  {
    request: 'Eine Webseite für unseren Podcast über Stadtgeschichte mit Folgen und Links zum Anhören',
    page: 'episodes.html',
  },
  { request: 'Crea un sito per una palestra a Torino con corsi e prezzi', page: 'schedule.html' },
];

/**
 * Sites as visitors see them, in Debian's Chromium at desktop and mobile widths: screenshots
 * under test-artifacts/sites/ to look at, and what a screenshot alone would not tell (axe, a page
 * wider than the screen) checked on each.
 */
describe('generated sites in a real browser', () => {
  let browser: TestBrowser;
  let sitesDir: string;
  let server: StaticFilesServer;

  beforeAll(async () => {
    browser = await TestBrowser.launch(ARTIFACTS);
    sitesDir = await mkdtemp(join(tmpdir(), 'site-screenshots-'));
    server = await StaticFilesServer.start(sitesDir);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await rm(sitesDir, { recursive: true, force: true });
  });

  const cases = SITES.flatMap(({ request, page }) =>
    (Object.keys(VIEWPORTS) as ViewportName[]).map((viewport) => [request, page, viewport] as const),
  );

  it.each(cases)(
    '"%s": home and %s at %s width, axe-clean and no wider than the screen',
    async (request, asked, viewport) => {
      const { spec } = planSiteByRules(request);
      const site = renderSite(spec, writeCopyByRules(spec), designSite(spec, {}));
      const siteSlug = slugify(spec.name);
      const siteDir = join(sitesDir, siteSlug);
      for (const [path, content] of Object.entries(site.files)) {
        await mkdir(dirname(join(siteDir, path)), { recursive: true });
        await writeFile(join(siteDir, path), content);
      }
      expect(site.pages).toContain(asked);

      const { context, page } = await browser.newPage(`${server.url}/${siteSlug}/`, viewport);
      try {
        for (const file of ['index.html', asked]) {
          await page.goto(file);
          await browser.screenshot(page, `${siteSlug}-${file.replace('.html', '')}-${viewport}`);
          expect(await browser.axe(page)).toEqual([]);
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          expect([file, overflow]).toEqual([file, 0]);
        }
      } finally {
        await context.close();
      }
      expect(browser.problems).toEqual([]);
    },
  );
});

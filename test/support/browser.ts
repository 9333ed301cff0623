import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';

/** Debian's chromium, headless, as STACK.md describes it. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 375, height: 740 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

/** An axe finding that fails a test: a serious or critical violation. */
export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * A real Chromium for end-to-end tests of pages: each page it opens records console errors,
 * failed page scripts and CSP violations, so a test can assert there were none.
 */
export class TestBrowser {
  private axeSource?: string;
  /** Console errors, page errors and CSP violations of every page, with the page's URL. */
  readonly problems: string[] = [];

  private constructor(
    private readonly browser: Browser,
    private readonly artifactsDir: string,
  ) {}

  static async launch(artifactsDir: string): Promise<TestBrowser> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no Chromium at ${CHROMIUM}: sudo apt-get install -y chromium (or set CHROMIUM_PATH)`);
    }
    await mkdir(artifactsDir, { recursive: true });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    return new TestBrowser(browser, artifactsDir);
  }

  async close(): Promise<void> {
    await this.browser.close();
  }

  /** A fresh context (its own sessionStorage) with one page. */
  async newPage(
    baseURL: string,
    viewport: ViewportName = 'desktop',
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await this.browser.newContext({ baseURL, viewport: VIEWPORTS[viewport] });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push(`console error on ${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.problems.push(`page error on ${page.url()}: ${error.message}`));
    return { context, page };
  }

  /** Saves a full-page PNG as `<name>.png` among the test artifacts; returns its path. */
  async screenshot(page: Page, name: string): Promise<string> {
    const path = join(this.artifactsDir, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  }

  /**
   * Runs axe-core in the page (evaluated over the DevTools protocol, which the page's CSP does
   * not govern) and returns its serious and critical violations.
   */
  async axe(page: Page): Promise<AxeViolation[]> {
    this.axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(this.axeSource);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (context: Document) => Promise<AxeResults> } }).axe;
      interface AxeResults {
        violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
      }
      const results = await axe.run(document);
      return results.violations.map(({ id, impact, help, nodes }) => ({
        id,
        impact,
        help,
        targets: nodes.map((node) => node.target.join(' ')),
      }));
    });
    return violations.filter(
      (violation) => violation.impact === 'serious' || violation.impact === 'critical',
    );
  }
}

import { Agent } from '@app/agent-sdk';
import { WorkflowType } from '@app/contracts';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditOutput } from './audit/audit.agent';
import { BuiltSite } from './builder/site-renderer';
import { DeployOutput } from './deploy/deploy.agent';
import { PlannerOutput } from './planner/planner.agent';
import { SectionKind, SiteKind } from './site-spec.model';
import { SITE_REQUESTS } from './testing/site-requests.fixture';
import { blockingFindings } from './testing/audit-blockers';
import { runWorkflow } from './testing/website-workflow.runner';
import { createWebsiteAgents } from './website-agents.factory';

/** The text nodes of a page, entities decoded: what a visitor reads, one node at a time. */
function textNodes(html: string): string[] {
  return html
    .replace(/<head>[\s\S]*<\/head>/, '')
    .split(/<[^>]+>/)
    .map((text) =>
      text
        .replace(/&nbsp;/g, ' ')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&')
        .trim(),
    )
    .filter(Boolean);
}

const PRICE = /[€$£]\s?\d|\d\s?(?:€|\$|£|EUR|USD|GBP)\b/;

describe('a site for each of many requests, through the real agents and the offline provider', () => {
  let redis: Redis;
  let sitesDir: string;
  let agents: Agent[];
  const keyPrefix = `test:requests:${randomUUID()}:`;

  beforeAll(async () => {
    redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    sitesDir = await mkdtemp(join(tmpdir(), 'request-sites-'));
    agents = createWebsiteAgents({ redis, keyPrefix, sessionTtlHours: 1, sitesDir });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await rm(sitesDir, { recursive: true, force: true });
  });

  it('holds at least 30 requests across every kind and language', () => {
    expect(SITE_REQUESTS.length).toBeGreaterThanOrEqual(30);
    const kinds = new Set<SiteKind>(SITE_REQUESTS.map((row) => row.kind));
    expect(kinds.size).toBeGreaterThanOrEqual(12);
    expect(new Set(SITE_REQUESTS.map((row) => row.lang))).toEqual(
      new Set(['en', 'es', 'fr', 'de', 'pt', 'it', 'other']),
    );
  });

  it.each(SITE_REQUESTS.map((row) => [row.request, row] as const))(
    'publishes "%s" naming its subject, with every asked-for section, in its language, inventing nothing, valid and axe-clean',
    async (request, row) => {
      const run = await runWorkflow(agents, {
        type: WorkflowType.CreateSite,
        sessionId: `session-${randomUUID()}`,
        input: { request },
      });
      const { spec } = run.outputs.planner as PlannerOutput;
      const built = run.outputs.builder as BuiltSite;
      expect(spec.kind).toBe(row.kind);

      // The subject, place, people and date, as the request named them, on the home page.
      const home = textNodes(built.files['index.html']).join('\n').toLowerCase();
      for (const named of row.names) expect(home).toContain(named.toLowerCase());

      // Every asked-for detail has its section on some page.
      const sections = new Set<SectionKind>(
        spec.pages.flatMap((page) => page.sections.map((section) => section.kind)),
      );
      for (const asked of row.sections) expect([...sections]).toContain(asked);
      for (const page of spec.pages) {
        for (const section of page.sections)
          expect(built.files[`${page.slug}.html`]).toContain(`id="${section.id}"`);
      }

      for (const page of built.pages) {
        const html = built.files[page];
        expect(html).toContain(`<html lang="${row.lang === 'other' ? 'en' : row.lang}">`);
        const text = textNodes(html);
        // No invented reviews or prices: a testimonial or a price would have to come from the request.
        expect(html).not.toMatch(/<blockquote|class="testimonials"/);
        expect(text.filter((node) => PRICE.test(node))).toEqual([]);
        expect(text.filter((node) => /(?<![\p{L}])(\p{L}+)\s+\1(?![\p{L}])/iu.test(node))).toEqual([]);
      }

      const warnings = run.contexts.planner.logs
        .filter((log) => log.level === 'warning')
        .map((log) => log.message);
      if (row.lang === 'other')
        expect(warnings).toContainEqual(expect.stringContaining('the site will be in English'));
      else expect(warnings.filter((message) => message.includes('English'))).toEqual([]);

      const audit = run.outputs.audit as AuditOutput;
      const blocking = blockingFindings(audit.findings);
      expect(blocking).toEqual([]);
      expect(audit.passed).toBe(true);
      expect((run.outputs.deploy as DeployOutput).version).toBe(1);
    },
  );
});

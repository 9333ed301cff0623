import { LlmClient, LlmCompletion } from '../llm/llm.client';
import { OfflineLlmClient } from '../llm/offline-llm.client';
import { planSiteByRules } from '../planner/site-request.rules';
import { SiteSpec } from '../site-spec.model';
import { createTestContext } from '../testing/agent-context.fixture';
import { ContentAgent } from './content.agent';
import { writeCopyByRules } from './site-copy.rules';

function contextFor(spec: SiteSpec) {
  return createTestContext({ dependencies: { planner: { spec, change: null, source: 'offline' } } });
}

describe('ContentAgent', () => {
  const agent = new ContentAgent({ llm: new OfflineLlmClient() });

  it.each([
    'Create a portfolio website for a wildlife photographer',
    'Make a blog about sourdough baking',
    "Build a website for Luigi's, an Italian trattoria in Naples",
    'Create a website for a family plumbing business in Leeds',
    'A landing page for the Harbour Jazz Festival on 14 June 2025',
    'My personal website: I am a software engineer',
  ])('writes a heading and words for every section of "%s"', async (request) => {
    const { spec } = planSiteByRules(request);
    const { copy, source } = await agent.execute(contextFor(spec));
    expect(source).toBe('offline');
    for (const page of spec.pages) {
      expect(copy.pages[page.slug].description.length).toBeLessThanOrEqual(160);
      for (const section of page.sections) {
        const written = copy.pages[page.slug].sections[section.id];
        expect(written.heading.trim()).not.toBe('');
        expect(
          written.paragraphs.length + written.items.length + (section.kind === 'contact' ? 1 : 0),
        ).toBeGreaterThan(0);
      }
    }
    expect(JSON.stringify(copy)).not.toMatch(/lorem|ipsum|undefined|\[object/i);
  });

  it('writes about the subject of the request', async () => {
    const wildlife = writeCopyByRules(
      planSiteByRules('Create a portfolio website for a wildlife photographer').spec,
    );
    expect(wildlife.pages.work.sections.gallery.items.map((item) => item.title)).toContain(
      'Red fox at first light',
    );
    const italian = writeCopyByRules(
      planSiteByRules("Build a website for Luigi's, an Italian trattoria in Naples").spec,
    );
    expect(italian.pages.menu.sections.menu.items.map((item) => item.title)).toContain('Tagliatelle al ragù');
    expect(italian.pages.index.sections.hero.paragraphs[0]).toBe(
      'Italian cooking in Naples, made with care every day.',
    );
    const blog = writeCopyByRules(planSiteByRules('Make a blog about sourdough baking').spec);
    expect(blog.pages.blog.sections.posts.items[0].title).toBe('Getting started with sourdough baking');
  });

  it('writes in the tone of the spec', () => {
    const spec = planSiteByRules('Create a website for a plumbing business').spec;
    const professional = writeCopyByRules({ ...spec, tone: 'professional' }).pages.index.sections.hero;
    const playful = writeCopyByRules({ ...spec, tone: 'playful' }).pages.index.sections.hero;
    expect(professional.heading).toBe('Plumbing Business — dependable work, clearly explained.');
    expect(playful.heading).toBe('Hello there, and welcome to Plumbing Business!');
    expect(professional.callToAction?.label).toBe('Get in touch');
    expect(playful.callToAction?.label).toBe('Let’s talk');
  });

  it('points calls to action only at pages the site has', () => {
    const spec = planSiteByRules('A landing page for a jazz festival').spec;
    const copy = writeCopyByRules(spec);
    expect(copy.pages.index.sections.hero.callToAction).toEqual({
      label: 'Get tickets',
      targetSlug: 'tickets',
    });
    const withoutPages = writeCopyByRules({ ...spec, pages: [spec.pages[0]] });
    expect(withoutPages.pages.index.sections.hero.callToAction).toBeNull();
  });

  it('falls back to the rules with a warning when a model leaves a section unwritten', async () => {
    const { spec } = planSiteByRules('Make a blog about tea');
    const incomplete = writeCopyByRules(spec);
    delete (incomplete.pages.about.sections as Record<string, unknown>).about;
    const llm: LlmClient = {
      provider: 'model',
      complete: async (): Promise<LlmCompletion> => ({ text: JSON.stringify(incomplete), provider: 'model' }),
    };
    const context = contextFor(spec);

    const { copy, source } = await new ContentAgent({ llm }).execute(context);

    expect(source).toBe('rules');
    expect(copy.pages.about.sections.about.heading).toBe('About');
    expect(context.logs).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringContaining('section about#about: heading is missing'),
      }),
    );
  });

  it('uses a complete model answer and drops a call to action to a page that does not exist', async () => {
    const { spec } = planSiteByRules('Make a blog about tea');
    const answer = writeCopyByRules(spec);
    answer.pages.index.sections.hero.callToAction = { label: 'Shop', targetSlug: 'shop' };
    const llm: LlmClient = {
      provider: 'model',
      complete: async () => ({ text: JSON.stringify(answer), provider: 'model' }),
    };

    const { copy, source } = await new ContentAgent({ llm }).execute(contextFor(spec));

    expect(source).toBe('model');
    expect(copy.pages.index.sections.hero.callToAction).toBeNull();
  });
});

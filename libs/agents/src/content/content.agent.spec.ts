import { LlmSettings } from '@app/agent-sdk';
import { planSiteByRules } from '../planner/site-request.rules';
import { SiteSpec } from '../site-spec.model';
import { createTestContext, scriptedLlm } from '../testing/agent-context.fixture';
import { ContentAgent } from './content.agent';
import { SiteCopy } from './site-copy.model';
import { writeCopyByRules } from './site-copy.rules';

function contextFor(spec: SiteSpec, llmSettings?: LlmSettings) {
  return createTestContext({
    dependencies: { planner: { spec, change: null, source: 'offline' } },
    llmSettings,
  });
}

describe('ContentAgent', () => {
  const agent = new ContentAgent();

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
        const says = written.paragraphs.length + written.items.length;
        const asksOwner = written.toFillIn ? 1 : 0;
        const links = written.callToAction ? 1 : 0;
        expect(says + asksOwner + links).toBeGreaterThan(0);
      }
    }
    expect(JSON.stringify(copy)).not.toMatch(/lorem|ipsum|undefined|\[object/i);
  });

  it('names the subject and place of the request, and nothing it did not say', () => {
    const italian = writeCopyByRules(
      planSiteByRules("Build a website for Luigi's, an Italian trattoria in Naples").spec,
    );
    expect(italian.pages.index.sections.hero.paragraphs[0]).toBe('Italian trattoria in Naples.');
    expect(italian.pages.index.sections.hero.heading).toBe("Luigi's");
    expect(italian.pages.index.sections.about).toMatchObject({
      paragraphs: [],
      toFillIn: 'your story: who you are, since when, and what makes you different.',
    });
    expect(italian.pages.menu.sections.menu).toMatchObject({
      items: [],
      toFillIn: 'your dishes and drinks, with their prices.',
    });
    expect(italian.contact).toEqual({ email: '', phone: '', area: 'Naples' });
  });

  it('keeps the contact details a request gives, and asks for none of them then', () => {
    const copy = writeCopyByRules(
      planSiteByRules('A website for my plumbing business, email jo@plumb.example, phone +44 113 496 0000')
        .spec,
    );
    expect(copy.contact).toEqual({ email: 'jo@plumb.example', phone: '+44 113 496 0000', area: '' });
    expect(copy.pages.contact.sections.contact.toFillIn).toBeUndefined();
  });

  it('writes the site in the language of the request', () => {
    const copy = writeCopyByRules(
      planSiteByRules('Crea un sitio web para una panadería en Sevilla con precios y horario').spec,
    );
    expect(copy.tagline).toBe('Panadería en Sevilla.');
    expect(copy.pages.hours.sections.hours).toMatchObject({
      heading: 'Horario',
      toFillIn: 'vuestro horario de apertura, día a día.',
    });
  });

  it('points calls to action only at pages the site has', () => {
    const spec = planSiteByRules('A landing page for a jazz festival').spec;
    const copy = writeCopyByRules(spec);
    expect(copy.pages.index.sections.hero.callToAction).toEqual({
      label: 'Find out more',
      targetSlug: 'booking',
    });
    const withoutPages = writeCopyByRules({ ...spec, pages: [spec.pages[0]] });
    expect(withoutPages.pages.index.sections.hero.callToAction).toBeNull();
  });

  it('falls back to the rules with a warning when a model leaves a section unwritten', async () => {
    const { spec } = planSiteByRules('Make a blog about tea');
    const incomplete = writeCopyByRules(spec);
    delete (incomplete.pages.index.sections as Record<string, unknown>).about;
    const context = contextFor(spec, scriptedLlm('model', JSON.stringify(incomplete)).settings);

    const { copy, source } = await new ContentAgent().execute(context);

    expect(source).toBe('rules');
    expect(copy.pages.index.sections.about.heading).toBe('About');
    expect(context.logs).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringContaining('section index#about: heading is missing'),
      }),
    );
  });

  it('uses a complete model answer and drops a call to action to a page that does not exist', async () => {
    const { spec } = planSiteByRules('Make a blog about tea');
    const answer = writeCopyByRules(spec);
    answer.pages.index.sections.hero.callToAction = { label: 'Shop', targetSlug: 'shop' };
    const llm = scriptedLlm('model', JSON.stringify(answer));

    const { copy, source } = await new ContentAgent().execute(contextFor(spec, llm.settings));

    expect(source).toBe('model');
    expect(copy.pages.index.sections.hero.callToAction).toBeNull();
  });

  describe('a model answer that invents facts the request did not give', () => {
    const { spec } = planSiteByRules('A florist in Bath with prices and contact details');
    spec.pages[0].sections.push({ id: 'testimonials', kind: 'testimonials' });
    const honest = writeCopyByRules(spec);

    it.each<[string, (copy: SiteCopy) => void, string]>([
      [
        'a testimonial',
        (copy) =>
          (copy.pages.index.sections.testimonials.items = [{ title: 'Priya S.', text: '“Lovely flowers.”' }]),
        'quotes testimonials the request does not give',
      ],
      [
        'a price',
        (copy) =>
          (copy.pages.prices.sections.pricing.items = [
            { title: 'Bouquet', text: 'Seasonal.', detail: '€35' },
          ]),
        'states a price (€35) the request does not give',
      ],
      ['an email address', (copy) => (copy.contact.email = 'hello@florist.example'), 'contact.email'],
      ['a phone number', (copy) => (copy.contact.phone = '+44 1225 555 0100'), 'contact.phone'],
    ])(
      'rejects %s, asks again with the reason, and uses the honest repaired answer',
      async (_, invent, problem) => {
        const invented: SiteCopy = JSON.parse(JSON.stringify(honest)) as SiteCopy;
        invent(invented);
        const { settings, requests } = scriptedLlm('model', JSON.stringify(invented), JSON.stringify(honest));
        const context = contextFor(spec, settings);

        const { copy, source } = await new ContentAgent().execute(context);

        expect(source).toBe('model');
        expect(copy).toEqual(honest);
        expect(requests[1].messages.at(-1)?.content).toContain(problem);
        expect(context.logs).toContainEqual(
          expect.objectContaining({ level: 'warning', message: expect.stringContaining('asking again') }),
        );
      },
    );

    it('keeps a price the request gives', async () => {
      const priced = planSiteByRules('A florist in Bath: bouquets cost €35, with prices').spec;
      const answer = writeCopyByRules(priced);
      answer.pages.prices.sections.pricing.items = [{ title: 'Bouquet', text: 'Seasonal.', detail: '€35' }];
      const llm = scriptedLlm('model', JSON.stringify(answer));
      expect(await new ContentAgent().execute(contextFor(priced, llm.settings))).toMatchObject({
        source: 'model',
      });
    });
  });
});

import { ValidationError } from '@app/agent-sdk';
import { WorkflowType } from '@app/contracts';
import { SiteSpec } from '../site-spec.model';
import { createTestContext, scriptedLlm } from '../testing/agent-context.fixture';
import { MAX_REQUEST_LENGTH } from '../workflow-input.schema';
import { PlannerAgent, PlannerOutput } from './planner.agent';
import { planSiteByRules } from './site-request.rules';

const planner = new PlannerAgent();

async function plan(
  request: unknown,
  extra: Parameters<typeof createTestContext>[0] = {},
): Promise<PlannerOutput> {
  return planner.execute(createTestContext({ input: { request }, ...extra }));
}

async function update(previous: SiteSpec, request: string): Promise<PlannerOutput> {
  return planner.execute(
    createTestContext({
      workflowType: WorkflowType.UpdateSite,
      input: { request },
      dependencies: {
        memory: { sessionId: 's', preferences: {}, siteId: 'site-1', siteSpec: previous, history: [] },
      },
    }),
  );
}

describe('PlannerAgent, creating a site', () => {
  it.each([
    [
      'Create a portfolio website for a wildlife photographer, dark theme',
      'portfolio',
      'Wildlife Photographer Portfolio',
      'wildlife photographer',
      'dark',
    ],
    ['Make a blog about sourdough baking', 'blog', 'Sourdough Baking Blog', 'sourdough baking', null],
    [
      "Build a website for Luigi's, an Italian trattoria in Naples",
      'restaurant',
      "Luigi's",
      'Italian trattoria',
      null,
    ],
    ['Website for Acme Plumbing in Leeds, light theme', 'trades', 'Acme Plumbing', 'Acme Plumbing', 'light'],
    [
      'A landing page for the Harbour Jazz Festival on 14 June 2025 in Bristol',
      'event',
      'Harbour Jazz Festival',
      'Harbour Jazz Festival',
      null,
    ],
    [
      'My personal website: I am a software engineer who loves hiking',
      'personal',
      'Software Engineer',
      'software engineer',
      null,
    ],
    [
      'Create a site called "Blue Door Studio" for an architect',
      'portfolio',
      'Blue Door Studio',
      'architect',
      null,
    ],
  ])('plans "%s" as a %s site', async (request, kind, name, subject, mode) => {
    const { spec, change, source } = await plan(request);
    expect(spec).toMatchObject({ kind, name, subject, theme: { mode }, request });
    expect(spec.pages[0].slug).toBe('index');
    expect(new Set(spec.pages.map((page) => page.slug)).size).toBe(spec.pages.length);
    expect(change).toBeNull();
    expect(source).toBe('offline');
  });

  it('reads colours, a place and a date from the request', async () => {
    const { spec } = await plan(
      'A wedding website for Sam and Alex on 12 September 2026 in Porto with gold and navy accents',
    );
    expect(spec).toMatchObject({
      kind: 'wedding',
      location: 'Porto',
      eventDate: '12 September 2026',
      theme: { colors: ['#b8860b', '#1a237e'] },
    });
    expect(spec.pages.map((page) => page.slug)).toContain('rsvp');
  });

  it('adds the pages a request lists', async () => {
    const { spec } = await plan('Create a portfolio for a designer with a blog and a FAQ page');
    expect(spec.pages.map((page) => page.slug)).toEqual(['index', 'gallery', 'faq', 'blog', 'contact']);
  });

  it('uses the session tone when the request names none, and the request tone when it does', async () => {
    const memory = {
      sessionId: 's',
      preferences: { tone: 'playful' },
      siteId: null,
      siteSpec: null,
      history: [],
    };
    expect((await plan('Make a blog about tea', { dependencies: { memory } })).spec.tone).toBe('playful');
    expect((await plan('Make an elegant blog about tea', { dependencies: { memory } })).spec.tone).toBe(
      'elegant',
    );
  });

  it.each([
    ['', 'input.request is empty'],
    ['   \n ', 'input.request is empty'],
    [42, 'input.request must be a string'],
    [undefined, 'input.request must be a string'],
    [
      'x'.repeat(MAX_REQUEST_LENGTH + 1),
      `input.request is ${MAX_REQUEST_LENGTH + 1} characters long; the limit is ${MAX_REQUEST_LENGTH}`,
    ],
  ])('refuses the request %p with a ValidationError', async (request, message) => {
    const failure = plan(request);
    await expect(failure).rejects.toBeInstanceOf(ValidationError);
    await expect(failure).rejects.toThrow(message);
  });

  it('accepts a request of exactly the limit', async () => {
    const request = `Create a blog about tea. ${'Tea is lovely. '.repeat(200)}`.slice(0, MAX_REQUEST_LENGTH);
    await expect(plan(request)).resolves.toMatchObject({ spec: { kind: 'blog' } });
  });

  it('plans a Spanish site from a Spanish request, with Spanish page titles and no warning', async () => {
    const context = createTestContext({
      input: { request: 'Crea un sitio web para mi restaurante italiano en Madrid' },
    });
    const { spec } = await planner.execute(context);
    expect(spec).toMatchObject({ kind: 'restaurant', requestLanguage: 'es', location: 'Madrid' });
    expect(spec.pages.map((page) => page.title)).toEqual(['Inicio', 'Carta', 'Horario', 'Contacto']);
    expect(context.logs.filter((log) => log.level === 'warning')).toEqual([]);
  });

  it('falls back to an English general site for a request in a script it cannot read, with warnings', async () => {
    const context = createTestContext({ input: { request: 'Сделай мне сайт, пожалуйста' } });
    const { spec } = await planner.execute(context);
    expect(spec).toMatchObject({ kind: 'general', requestLanguage: 'ru' });
    expect(spec.pages.map((page) => page.title)).toEqual(['Home', 'Contact']);
    expect(context.logs.filter((log) => log.level === 'warning').map((log) => log.message)).toEqual([
      'request appears to be in "ru", which sites cannot be written in yet; the site will be in English',
      'the request names no kind of site the planner knows; a general site in its own words is the fallback',
    ]);
  });
});

describe('PlannerAgent, updating a site', () => {
  const previous = planSiteByRules('Create a portfolio website for a wildlife photographer, dark theme').spec;

  it('adds a blog page and switches to a light theme, saying what changed', async () => {
    const { spec, change } = await update(previous, 'Add a blog page and make it light');
    expect(change).toBe('Added a Blog page; Switched to a light theme');
    expect(spec.pages.map((page) => page.slug)).toEqual(['index', 'gallery', 'contact', 'blog']);
    expect(spec.theme.mode).toBe('light');
    expect(previous.theme.mode).toBe('dark');
  });

  it('removes a page', async () => {
    const { spec, change } = await update(previous, 'remove the contact page');
    expect(change).toBe('Removed the Contact page');
    expect(spec.pages.map((page) => page.slug)).toEqual(['index', 'gallery']);
  });

  it('renames the site, keeping a name with "and" in it whole', async () => {
    const { spec, change } = await update(
      previous,
      'make it more playful and rename the site to Fur and Feather',
    );
    expect(spec).toMatchObject({ name: 'Fur and Feather', tone: 'playful' });
    expect(change).toBe(
      'Changed the tone to playful; Renamed the site from "Wildlife Photographer Portfolio" to "Fur and Feather"',
    );
  });

  it('adds a custom page and a section to a named page', async () => {
    const { spec } = await update(previous, 'add a workshops page, add a FAQ section to the gallery page');
    expect(spec.pages.find((page) => page.slug === 'workshops')).toEqual({
      slug: 'workshops',
      title: 'Workshops',
      sections: [{ id: 'main', kind: 'text', heading: 'Workshops' }],
    });
    expect(
      spec.pages.find((page) => page.slug === 'gallery')?.sections.map((section) => section.kind),
    ).toEqual(['gallery', 'faq']);
  });

  it('changes the main colour', async () => {
    const { spec } = await update(previous, 'change the colour to teal');
    expect(spec.theme.colors[0]).toBe('#00796b');
  });

  it.each([
    ['remove the home page', 'the home page cannot be removed'],
    [
      'remove the pricing page',
      'the site has no "pricing" page to remove; its pages are: Home, Gallery, Contact',
    ],
    ['sing me a song', 'could not understand the change "sing me a song"; try for example "add a blog page"'],
  ])('refuses "%s" with a ValidationError', async (request, message) => {
    const failure = update(previous, request);
    await expect(failure).rejects.toBeInstanceOf(ValidationError);
    await expect(failure).rejects.toThrow(message);
  });

  it('refuses to update when the session has no site', async () => {
    const context = createTestContext({
      workflowType: WorkflowType.UpdateSite,
      sessionId: 'lonely',
      input: { request: 'add a blog page' },
    });
    await expect(planner.execute(context)).rejects.toThrow(
      'session lonely has no site to update; run CREATE_SITE first',
    );
  });
});

describe('PlannerAgent with a language model', () => {
  const modelSpec = {
    kind: 'blog',
    name: 'Leaf and Cup',
    subject: 'tea',
    tone: 'friendly',
    theme: { mode: 'light', colors: ['#2E7D32'] },
    location: null,
    eventDate: null,
    pages: [
      {
        slug: 'home',
        title: 'Home',
        sections: [
          { id: 'hero', kind: 'hero' },
          { id: 'posts', kind: 'posts' },
        ],
      },
      { slug: 'About Us', title: 'About us', sections: [{ id: 'about', kind: 'about' }] },
    ],
  };

  it('uses a valid answer, in canonical form, and asks with the request in the prompt', async () => {
    const llm = scriptedLlm(
      'scripted-model',
      `Here you go:\n\`\`\`json\n${JSON.stringify(modelSpec)}\n\`\`\``,
    );
    const { spec, source } = await new PlannerAgent().execute(
      createTestContext({ input: { request: 'A blog about tea' }, llmSettings: llm.settings }),
    );
    expect(source).toBe('scripted-model');
    expect(spec).toMatchObject({
      name: 'Leaf and Cup',
      theme: { colors: ['#2e7d32'] },
      request: 'A blog about tea',
      requestLanguage: 'en',
    });
    expect(spec.pages.map((page) => page.slug)).toEqual(['index', 'about-us']);
    expect(llm.requests[0].messages.at(-1)).toEqual({ role: 'user', content: 'A blog about tea' });
  });

  it.each([
    ['not json at all', 'the answer holds no JSON object'],
    [JSON.stringify({ ...modelSpec, kind: 'spaceship' }), 'kind "spaceship" is not one of'],
    [JSON.stringify({ ...modelSpec, pages: [] }), 'pages must hold 1 to 12 pages'],
  ])('falls back to the rules, with a warning, when the answer is %s', async (answer, problem) => {
    const context = createTestContext({
      input: { request: 'A blog about tea' },
      llmSettings: scriptedLlm('scripted-model', answer).settings,
    });
    const { spec, source } = await new PlannerAgent().execute(context);
    expect(source).toBe('rules');
    expect(spec).toMatchObject({ kind: 'blog', subject: 'tea' });
    expect(context.logs).toContainEqual(
      expect.objectContaining({ level: 'warning', message: expect.stringContaining(problem) }),
    );
  });

  describe('when the answer drops what the request asked for', () => {
    const request = 'A wedding site for Ana and Luis in Sintra with RSVP info and travel tips';
    const complete = planSiteByRules(request).spec;
    const dropped = {
      ...complete,
      pages: complete.pages.filter((page) => !['rsvp', 'travel'].includes(page.slug)),
    };

    it('rejects it, asks again with the reason, and uses the repaired answer', async () => {
      const llm = scriptedLlm('scripted-model', JSON.stringify(dropped), JSON.stringify(complete));
      const context = createTestContext({ input: { request }, llmSettings: llm.settings });
      const { spec, source } = await new PlannerAgent().execute(context);

      expect(source).toBe('scripted-model');
      expect(spec.pages.map((page) => page.slug)).toEqual(expect.arrayContaining(['rsvp', 'travel']));
      expect(llm.requests).toHaveLength(2);
      expect(llm.requests[0].messages[0].content).toContain('rsvp (a section of kind "rsvp")');
      expect(llm.requests[1].messages.slice(-2)).toEqual([
        { role: 'assistant', content: JSON.stringify(dropped) },
        {
          role: 'user',
          content: expect.stringContaining(
            'it drops what the request asked for: no section of kind rsvp, travel',
          ),
        },
      ]);
      expect(context.logs).toContainEqual(
        expect.objectContaining({ level: 'warning', message: expect.stringContaining('asking again') }),
      );
    });

    it('falls back to the rules when the repaired answer drops it too', async () => {
      const llm = scriptedLlm('scripted-model', JSON.stringify(dropped));
      const context = createTestContext({ input: { request }, llmSettings: llm.settings });
      const { spec, source } = await new PlannerAgent().execute(context);

      expect(llm.requests).toHaveLength(2);
      expect(source).toBe('rules');
      expect(spec.pages.map((page) => page.slug)).toEqual(expect.arrayContaining(['rsvp', 'travel']));
      expect(context.logs).toContainEqual(
        expect.objectContaining({
          level: 'warning',
          message: expect.stringContaining(
            'planner ignored the scripted-model answer: it drops what the request asked for',
          ),
        }),
      );
    });
  });

  it('applies the change with rules when the model answers with an unchanged plan', async () => {
    const previous = planSiteByRules('Make a blog about tea').spec;
    const llm = scriptedLlm('scripted-model', JSON.stringify({ spec: previous, change: 'nothing' }));
    const context = createTestContext({
      llmSettings: llm.settings,
      workflowType: WorkflowType.UpdateSite,
      input: { request: 'add a recipes page' },
      dependencies: {
        memory: { sessionId: 's', preferences: {}, siteId: 'x', siteSpec: previous, history: [] },
      },
    });
    const output = await new PlannerAgent().execute(context);
    expect(output).toMatchObject({ source: 'rules', change: 'Added a Recipes page' });
    expect(context.logs).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining('the answer changes nothing') }),
    );
  });
});

import { AgentContext } from '@app/agent-sdk';
import { SiteCopy } from '../content/site-copy.model';
import { writeCopyByRules } from '../content/site-copy.rules';
import { designSite } from '../design/design.agent';
import { planSiteByRules } from '../planner/site-request.rules';
import { createTestContext } from '../testing/agent-context.fixture';
import { BuilderAgent } from './builder.agent';

async function build(
  request: string,
  rename?: string,
  edit?: (copy: SiteCopy) => void,
  feedback?: AgentContext['feedback'],
) {
  const { spec } = planSiteByRules(request);
  if (rename) spec.name = rename;
  const copy = writeCopyByRules(spec);
  edit?.(copy);
  const context = createTestContext({
    dependencies: {
      planner: { spec, change: null, source: 'offline' },
      content: { copy, source: 'offline' },
      design: designSite(spec, {}),
    },
    ...(feedback ? { feedback } : {}),
  });
  return { spec, site: await new BuilderAgent().execute(context), context };
}

describe('BuilderAgent', () => {
  it('renders one page per spec page, home as index.html, with navigation to every page', async () => {
    const { spec, site } = await build('Create a portfolio website for a wildlife photographer');
    expect(site.pages).toEqual(['index.html', 'gallery.html', 'contact.html']);
    for (const page of site.pages) {
      const html = site.files[page];
      for (const target of site.pages) expect(html).toContain(`href="${target}"`);
      expect(html).toContain(`<a href="${page}" aria-current="page">`);
      expect(html.match(/<h1[ >]/g)).toHaveLength(1);
      expect(html).toMatch(/<meta name="description" content="[^"]+">/);
      expect(html).toMatch(/<meta property="og:title" content="[^"]+">/);
      expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(html).toContain(`<title>`);
    }
    expect(site.files['index.html']).toContain(`<title>${spec.name}`);
  });

  it('draws a local image with alt text for every gallery entry and loads nothing from the network', async () => {
    const { site } = await build(
      'Create a portfolio website for a wildlife photographer',
      undefined,
      (copy) => {
        copy.pages.gallery.sections.gallery.items = [
          { title: 'Fox', text: 'At dawn.', imageAlt: 'A red fox in frost' },
          { title: 'Heron', text: 'At dusk.' },
        ];
      },
    );
    const images = [...site.files['gallery.html'].matchAll(/<img src="([^"]+)" alt="([^"]+)"/g)];
    expect(images.map(([, , alt]) => alt)).toEqual(['A red fox in frost', 'Illustration for “Heron”']);
    for (const [, src] of images) expect(site.files[src]).toMatch(/^<svg /);
    expect(Object.values(site.files).join('\n')).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  it('ships a responsive stylesheet', async () => {
    const { site } = await build('Make a blog about tea');
    expect(site.files['styles.css']).toContain('@media (min-width: 40rem)');
    expect(site.files['styles.css']).toContain('@media (min-width: 60rem)');
    expect(site.files['styles.css']).toContain('@media (prefers-reduced-motion: reduce)');
  });

  it('escapes text so a hostile site name cannot inject markup', async () => {
    const { site } = await build('Make a blog about tea', '<script>alert("x")</script>');
    expect(site.files['index.html']).not.toContain('<script>');
    expect(site.files['index.html']).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('marks what the owner must fill in, in the language of the site, and writes its lang', async () => {
    const { site } = await build('Crea un sitio web para una cafetería en Sevilla con horario');
    expect(site.files['hours.html']).toContain('<html lang="es">');
    expect(site.files['hours.html']).toContain(
      '<p class="to-fill-in"><strong>Por completar:</strong> vuestro horario de apertura, día a día.</p>',
    );
    expect(site.files['hours.html']).toContain('<a class="skip-link" href="#main">Saltar al contenido</a>');
  });

  it('fixes what an audit that sent the site back found, and says what it could not fix', async () => {
    const findings = [
      {
        rule: 'seo/broken-link',
        severity: 'serious',
        page: 'index.html',
        message: 'link "Contact" to "contact.html" does not resolve to a page of the site',
      },
      { rule: 'size-budget', severity: 'serious', page: '*', message: 'the site is 600000 bytes' },
    ];
    const request = 'Create a portfolio website for a wildlife photographer';
    const { site: first } = await build(request);
    const { site, context } = await build(request, undefined, undefined, {
      from: 'audit',
      iteration: 2,
      maxIterations: 3,
      feedback: { score: 60, threshold: 70, findings },
    });
    expect(first.files['index.html']).toContain('href="contact.html"');
    expect(site.files['index.html']).not.toContain('href="contact.html"');
    expect(site.files['gallery.html']).toBe(first.files['gallery.html']);
    expect(site.repairs).toEqual({ repaired: ['index.html: seo/broken-link'], unrepaired: ['size-budget'] });
    expect(context.logs).toContainEqual(
      expect.objectContaining({
        message: 'iteration 2 of 3: fixed 1 finding(s) of audit; no fix for size-budget',
      }),
    );
  });
});

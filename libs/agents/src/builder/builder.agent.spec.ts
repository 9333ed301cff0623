import { writeCopyByRules } from '../content/site-copy.rules';
import { designSite } from '../design/design.agent';
import { planSiteByRules } from '../planner/site-request.rules';
import { createTestContext } from '../testing/agent-context.fixture';
import { BuilderAgent } from './builder.agent';

async function build(request: string, rename?: string) {
  const { spec } = planSiteByRules(request);
  if (rename) spec.name = rename;
  const context = createTestContext({
    dependencies: {
      planner: { spec, change: null, source: 'offline' },
      content: { copy: writeCopyByRules(spec), source: 'offline' },
      design: designSite(spec, {}),
    },
  });
  return { spec, site: await new BuilderAgent().execute(context) };
}

describe('BuilderAgent', () => {
  it('renders one page per spec page, home as index.html, with navigation to every page', async () => {
    const { spec, site } = await build('Create a portfolio website for a wildlife photographer');
    expect(site.pages).toEqual(['index.html', 'work.html', 'about.html', 'contact.html']);
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
    const { site } = await build('Create a portfolio website for a wildlife photographer');
    const images = [...site.files['work.html'].matchAll(/<img src="([^"]+)" alt="([^"]+)"/g)];
    expect(images).toHaveLength(6);
    for (const [, src, alt] of images) {
      expect(site.files[src]).toMatch(/^<svg /);
      expect(alt).toMatch(/^Placeholder illustration for “.+”$/);
    }
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

  it('renders opening hours as a table with row headers', async () => {
    const { site } = await build('Create a website for a cafe in Leeds');
    expect(site.files['visit.html']).toContain('<tr><th scope="row">Monday</th><td>Closed</td></tr>');
  });
});

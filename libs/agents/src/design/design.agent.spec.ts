import fc from 'fast-check';
import { planSiteByRules } from '../planner/site-request.rules';
import { SITE_KINDS, SiteSpec, TONES } from '../site-spec.model';
import { createTestContext } from '../testing/agent-context.fixture';
import { contrastRatio } from './color-contrast';
import { DesignAgent, designSite } from './design.agent';

const hexColor = fc
  .integer({ min: 0, max: 0xffffff })
  .map((value) => `#${value.toString(16).padStart(6, '0')}`);

function spec(overrides: Partial<SiteSpec> = {}): SiteSpec {
  return { ...planSiteByRules('Create a portfolio for an illustrator').spec, ...overrides };
}

describe('designSite', () => {
  it('checks every text/background pair the stylesheet uses, all at 4.5:1 or more', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SITE_KINDS),
        fc.constantFrom(...TONES),
        fc.constantFrom<'dark' | 'light' | null>('dark', 'light', null),
        fc.option(hexColor, { nil: undefined }),
        fc.array(hexColor, { maxLength: 2 }),
        (kind, tone, mode, primaryColor, colors) => {
          const design = designSite(spec({ kind, tone, theme: { mode, colors } }), { primaryColor });
          expect(design.contrastChecks.map((check) => `${check.foreground}/${check.background}`)).toEqual([
            'text/background',
            'text/surface',
            'mutedText/background',
            'mutedText/surface',
            'link/background',
            'link/surface',
            'accent/background',
            'accent/surface',
            'onPrimary/primary',
          ]);
          for (const check of design.contrastChecks) {
            // Recomputed here rather than trusting the reported ratio.
            expect(contrastRatio(check.foregroundColor, check.backgroundColor)).toBeGreaterThanOrEqual(4.5);
            expect(check.foregroundColor).toBe(design.palette[check.foreground]);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('takes the theme from the request over the session preference', () => {
    expect(designSite(spec({ theme: { mode: 'dark', colors: [] } }), { theme: 'light' }).mode).toBe('dark');
    expect(designSite(spec({ theme: { mode: null, colors: [] } }), { theme: 'dark' }).mode).toBe('dark');
    expect(designSite(spec({ theme: { mode: null, colors: [] } }), {}).mode).toBe('light');
  });

  it('keeps a preference colour that passes and uses it for buttons and links', () => {
    const design = designSite(spec({ theme: { mode: 'light', colors: [] } }), { primaryColor: '#1565c0' });
    expect(design.palette).toMatchObject({ primary: '#1565c0', link: '#1565c0', onPrimary: '#ffffff' });
    expect(design.adjustments).toEqual([]);
  });

  it('uses a font preference as the first family with a fallback stack', () => {
    expect(designSite(spec(), { font: 'Inter' }).typography.bodyFont).toMatch(/^"Inter", system-ui/);
    expect(designSite(spec(), { font: 'serif' }).typography.bodyFont).toMatch(/serif$/);
  });
});

describe('DesignAgent', () => {
  it('adjusts a failing preference colour and logs the adjustment as a warning', async () => {
    const context = createTestContext({
      preferences: { primaryColor: '#ffff00', theme: 'light' },
      dependencies: {
        planner: { spec: spec({ theme: { mode: null, colors: [] } }), change: null, source: 'offline' },
      },
    });

    const design = await new DesignAgent().execute(context);

    expect(design.palette.link).not.toBe('#ffff00');
    expect(contrastRatio(design.palette.link, design.palette.background)).toBeGreaterThanOrEqual(4.5);
    expect(context.logs).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringMatching(
          /^preference primaryColor #ffff00 fails WCAG AA \(1\.07:1 on the light background\)/,
        ),
      }),
    );
  });

  it('fails with a ValidationError without the planner step', async () => {
    await expect(new DesignAgent().execute(createTestContext())).rejects.toThrow(
      'design needs the planner step',
    );
  });
});

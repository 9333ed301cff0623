import fc from 'fast-check';
import { contrastRatio, ensureContrast, relativeLuminance } from './color-contrast';

const hexColor = fc
  .integer({ min: 0, max: 0xffffff })
  .map((value) => `#${value.toString(16).padStart(6, '0')}`);

describe('WCAG contrast', () => {
  it('measures the reference pairs as WCAG publishes them', () => {
    expect(relativeLuminance('#ffffff')).toBeCloseTo(1, 10);
    expect(relativeLuminance('#000000')).toBe(0);
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 10);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(contrastRatio('#fff', '#fff')).toBe(1);
  });

  it('is symmetric', () => {
    fc.assert(
      fc.property(
        hexColor,
        hexColor,
        (first, second) => Math.abs(contrastRatio(first, second) - contrastRatio(second, first)) < 1e-12,
      ),
    );
  });

  it('adjusts any foreground to reach 4.5:1 on any background', () => {
    fc.assert(
      fc.property(
        hexColor,
        hexColor,
        (foreground, background) =>
          contrastRatio(ensureContrast(foreground, [background]), background) >= 4.5,
      ),
      { numRuns: 2000 },
    );
  });

  it('leaves a colour that already passes unchanged', () => {
    expect(ensureContrast('#1565c0', ['#ffffff'])).toBe('#1565c0');
  });

  it('darkens a light colour on a light background', () => {
    const adjusted = ensureContrast('#ffff00', ['#ffffff', '#f5f5f4']);
    expect(relativeLuminance(adjusted)).toBeLessThan(relativeLuminance('#ffff00'));
    expect(contrastRatio(adjusted, '#f5f5f4')).toBeGreaterThanOrEqual(4.5);
  });
});

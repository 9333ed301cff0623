import { Agent, AgentContext, AgentDescriptor, ValidationError } from '@app/agent-sdk';
import { LogLevel } from '@app/contracts';
import { MemoryOutput } from '../memory/memory.agent';
import { approvedPlan } from '../planner/approved-plan';
import { SessionPreferences, parsePreferences } from '../session-preferences.model';
import { SiteKind, SiteSpec, Tone } from '../site-spec.model';
import { AA_NORMAL_TEXT, contrastRatio, ensureContrast, mix, strongestExtreme } from './color-contrast';
import { ContrastCheck, DesignSystem, Palette } from './design-system.model';

const KIND_PRIMARY: Record<SiteKind, string> = {
  portfolio: '#8a6d3b',
  blog: '#2563eb',
  restaurant: '#b45309',
  'small-business': '#1d4ed8',
  event: '#c026d3',
  personal: '#0f766e',
  wedding: '#9d4b73',
  podcast: '#7c3aed',
  trades: '#c2410c',
  fitness: '#15803d',
  nonprofit: '#0e7490',
  general: '#475569',
};

const BACKGROUNDS = {
  light: {
    background: '#ffffff',
    surface: '#f5f5f4',
    text: '#1c1917',
    mutedText: '#57534e',
    border: '#d6d3d1',
  },
  dark: {
    background: '#121212',
    surface: '#1e1e22',
    text: '#f5f5f4',
    mutedText: '#c4c4c8',
    border: '#3f3f46',
  },
};

const SANS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const SERIF = 'Georgia, "Iowan Old Style", "Palatino Linotype", "Times New Roman", serif';
const MONO = 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace';
const TONE_HEADING: Record<Tone, { font: string; weight: number }> = {
  professional: { font: SANS, weight: 700 },
  friendly: { font: SANS, weight: 700 },
  playful: { font: 'ui-rounded, "Trebuchet MS", ' + SANS, weight: 800 },
  elegant: { font: SERIF, weight: 500 },
  bold: { font: SANS, weight: 900 },
};

/** Every text/background pair the builder's stylesheet uses. */
const TEXT_PAIRS: Array<[keyof Palette, keyof Palette, string]> = [
  ['text', 'background', 'body text'],
  ['text', 'surface', 'text on cards, header and footer'],
  ['mutedText', 'background', 'secondary text'],
  ['mutedText', 'surface', 'secondary text on cards'],
  ['link', 'background', 'links'],
  ['link', 'surface', 'links on cards, header and footer'],
  ['accent', 'background', 'prices, times and roles'],
  ['accent', 'surface', 'prices, times and roles on cards'],
  ['onPrimary', 'primary', 'button text'],
];

/** Chooses palette, typography and layout; proves every text colour passes WCAG AA. */
export class DesignAgent implements Agent<DesignSystem> {
  readonly descriptor: AgentDescriptor = {
    name: 'design',
    version: '1.0.0',
    description: 'Chooses an accessible palette, typography and layout from the spec and preferences.',
  };

  async execute(context: AgentContext): Promise<DesignSystem> {
    const spec = approvedPlan(context)?.spec;
    if (!spec)
      throw new ValidationError('design needs the planner step: no site spec among its dependencies');
    const memory = context.dependencies.memory as MemoryOutput | undefined;
    const preferences = memory?.preferences ?? parsePreferences(context.preferences).preferences;
    const design = designSite(spec, preferences);
    for (const adjustment of design.adjustments) context.log(LogLevel.Warning, adjustment);
    context.log(
      LogLevel.Info,
      `designed a ${design.mode} theme; ${design.contrastChecks.length} contrast pairs pass AA`,
      {
        lowestRatio: Math.min(...design.contrastChecks.map((check) => check.ratio)),
      },
    );
    return design;
  }
}

/**
 * The design of a site. The request's own theme words win over the session's preferences,
 * because they are about this site; preferences fill in what the request leaves open.
 */
export function designSite(spec: SiteSpec, preferences: SessionPreferences): DesignSystem {
  const mode = spec.theme.mode ?? preferences.theme ?? (spec.kind === 'event' ? 'dark' : 'light');
  const base = BACKGROUNDS[mode];
  const adjustments: string[] = [];
  const requested = spec.theme.colors[0] ?? preferences.primaryColor;
  const origin = spec.theme.colors[0] ? 'requested colour' : 'preference primaryColor';
  const seed = requested ?? KIND_PRIMARY[spec.kind];

  // Buttons: the primary colour must carry black or white text at 4.5:1.
  let primary = seed;
  let onPrimary = strongestExtreme(primary);
  if (contrastRatio(onPrimary, primary) < AA_NORMAL_TEXT) {
    onPrimary = mode === 'dark' ? '#000000' : '#ffffff';
    primary = ensureContrast(primary, [onPrimary]);
  }
  // Links reuse the primary hue, pulled towards the text colour until they read on both backgrounds.
  const link = ensureContrast(seed, [base.background, base.surface]);
  const accentSeed = spec.theme.colors[1] ?? mix(seed, mode === 'dark' ? '#ffffff' : '#000000', 0.2);
  const accent = ensureContrast(accentSeed, [base.background, base.surface]);
  if (requested && (primary !== requested || link !== requested)) {
    adjustments.push(
      `${origin} ${requested} fails WCAG AA (${contrastRatio(requested, base.background).toFixed(2)}:1 on the ${mode} background); ` +
        `used ${link} for links and ${primary} behind ${onPrimary} button text instead`,
    );
  }

  const palette: Palette = {
    background: base.background,
    surface: base.surface,
    text: ensureContrast(base.text, [base.background, base.surface]),
    mutedText: ensureContrast(base.mutedText, [base.background, base.surface]),
    primary,
    onPrimary,
    accent,
    link,
    border: base.border,
  };
  const contrastChecks: ContrastCheck[] = TEXT_PAIRS.map(([foreground, background, usage]) => ({
    usage,
    foreground,
    background,
    foregroundColor: palette[foreground],
    backgroundColor: palette[background],
    ratio: Math.round(contrastRatio(palette[foreground], palette[background]) * 100) / 100,
  }));
  const failing = contrastChecks.find(
    (check) => contrastRatio(check.foregroundColor, check.backgroundColor) < AA_NORMAL_TEXT,
  );
  // ensureContrast makes this unreachable; kept so a future palette edit cannot ship a failing pair.
  if (failing) throw new Error(`design produced ${failing.usage} at ${failing.ratio}:1, below AA`);

  const heading = TONE_HEADING[spec.tone];
  return {
    mode,
    palette,
    typography: {
      bodyFont: fontStack(preferences.font) ?? (spec.tone === 'elegant' ? SERIF : SANS),
      headingFont: fontStack(preferences.font) ?? heading.font,
      baseSizePx: 17,
      scale: spec.tone === 'bold' ? 1.333 : 1.25,
      lineHeight: 1.6,
      headingWeight: heading.weight,
    },
    layout: {
      maxWidthPx: spec.kind === 'blog' ? 960 : 1120,
      radiusPx: spec.tone === 'elegant' || spec.tone === 'professional' ? 4 : 12,
      galleryMinColumnPx: spec.kind === 'portfolio' ? 280 : 240,
      sectionSpacingRem: spec.tone === 'elegant' ? 5 : 4,
    },
    contrastChecks,
    adjustments,
  };
}

function fontStack(font: string | undefined): string | null {
  if (!font) return null;
  const generic = font.toLowerCase();
  if (generic === 'serif') return SERIF;
  if (generic === 'sans-serif' || generic === 'sans') return SANS;
  if (generic === 'monospace' || generic === 'mono') return MONO;
  // Only fonts installed on the reader's device: the site loads nothing from the network.
  return `"${font}", ${SANS}`;
}

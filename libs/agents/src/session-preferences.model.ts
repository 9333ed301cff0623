import { TONES, Tone } from './site-spec.model';
import { APPROVE_PLAN_PREFERENCE } from './website-workflows.definition';

/** The preferences a session may set; any other key is ignored with a warning. */
export interface SessionPreferences {
  theme?: 'dark' | 'light';
  /** #rrggbb. */
  primaryColor?: string;
  /** A generic family (`serif`, `sans-serif`, `monospace`) or a font name installed on the reader's device. */
  font?: string;
  tone?: Tone;
}

export interface ParsedPreferences {
  preferences: SessionPreferences;
  /** One line per key or value that was ignored, for the step's log. */
  warnings: string[];
}

const KNOWN_KEYS = ['theme', 'primaryColor', 'font', 'tone'] as const;
const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
// Font names end up in CSS: letters, digits, spaces and hyphens cannot break out of a declaration.
const SAFE_FONT = /^[a-z0-9][a-z0-9 -]{0,39}$/i;

/** Keeps the preferences this library understands and says why it dropped the rest. */
export function parsePreferences(raw: Readonly<Record<string, unknown>> | undefined): ParsedPreferences {
  const preferences: SessionPreferences = {};
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(raw ?? {})) {
    // Read when the workflow starts (it chooses the graph), not a preference of the site.
    if (key === APPROVE_PLAN_PREFERENCE) continue;
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
      warnings.push(`unknown preference "${key}" ignored (known: ${KNOWN_KEYS.join(', ')})`);
      continue;
    }
    if (key === 'theme') {
      if (value === 'dark' || value === 'light') preferences.theme = value;
      else warnings.push(`preference theme=${JSON.stringify(value)} ignored: expected "dark" or "light"`);
    } else if (key === 'primaryColor') {
      if (typeof value === 'string' && HEX_COLOR.test(value)) preferences.primaryColor = expandHex(value);
      else
        warnings.push(`preference primaryColor=${JSON.stringify(value)} ignored: expected #rgb or #rrggbb`);
    } else if (key === 'font') {
      if (typeof value === 'string' && SAFE_FONT.test(value.trim())) preferences.font = value.trim();
      else warnings.push(`preference font=${JSON.stringify(value)} ignored: expected a font name`);
    } else if (key === 'tone') {
      if (typeof value === 'string' && (TONES as readonly string[]).includes(value))
        preferences.tone = value as Tone;
      else
        warnings.push(
          `preference tone=${JSON.stringify(value)} ignored: expected one of ${TONES.join(', ')}`,
        );
    }
  }
  return { preferences, warnings };
}

function expandHex(value: string): string {
  const hex = value.slice(1).toLowerCase();
  return hex.length === 3 ? `#${[...hex].map((digit) => digit + digit).join('')}` : `#${hex}`;
}

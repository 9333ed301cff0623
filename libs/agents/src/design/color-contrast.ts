/** WCAG 2.x AA minimum for normal-size text. */
export const AA_NORMAL_TEXT = 4.5;

/** #rgb or #rrggbb to channels 0-255. */
export function parseHex(hex: string): [number, number, number] {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!match) throw new Error(`not a hex colour: ${hex}`);
  const digits = match[1].length === 3 ? [...match[1]].map((digit) => digit + digit).join('') : match[1];
  return [0, 2, 4].map((offset) => parseInt(digits.slice(offset, offset + 2), 16)) as [
    number,
    number,
    number,
  ];
}

export function toHex([red, green, blue]: [number, number, number]): string {
  return `#${[red, green, blue]
    .map((channel) =>
      Math.round(Math.min(255, Math.max(0, channel)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** Relative luminance as WCAG 2.x defines it (sRGB, linearised, weighted). */
export function relativeLuminance(hex: string): number {
  const [red, green, blue] = parseHex(hex).map((channel) => {
    const value = channel / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
}

/** (lighter + 0.05) / (darker + 0.05): 1 for identical colours, 21 for black on white. */
export function contrastRatio(foreground: string, background: string): number {
  const first = relativeLuminance(foreground);
  const second = relativeLuminance(background);
  return (Math.max(first, second) + 0.05) / (Math.min(first, second) + 0.05);
}

/** Mixes `from` towards `to` by `amount` (0 = from, 1 = to). */
export function mix(from: string, to: string, amount: number): string {
  const start = parseHex(from);
  const end = parseHex(to);
  return toHex(
    start.map((channel, index) => channel + (end[index] - channel) * amount) as [number, number, number],
  );
}

/** Black or white, whichever contrasts more with `background`. */
export function strongestExtreme(background: string): '#000000' | '#ffffff' {
  return contrastRatio('#000000', background) >= contrastRatio('#ffffff', background) ? '#000000' : '#ffffff';
}

/**
 * The colour closest to `foreground` (mixed towards black or white, whichever the backgrounds
 * call for) that reaches `minimum` against every background. Any background reaches at least
 * 4.58:1 with black or with white, so AA is always reachable when the backgrounds agree on
 * the direction (both light or both dark), which a palette's backgrounds do.
 */
export function ensureContrast(foreground: string, backgrounds: string[], minimum = AA_NORMAL_TEXT): string {
  const passes = (color: string) =>
    backgrounds.every((background) => contrastRatio(color, background) >= minimum);
  if (passes(foreground)) return foreground.toLowerCase();
  const target = strongestExtreme(backgrounds[0]);
  for (let step = 1; step <= 50; step++) {
    const candidate = mix(foreground, target, step / 50);
    if (passes(candidate)) return candidate;
  }
  throw new Error(`no colour reaches ${minimum}:1 against ${backgrounds.join(', ')}`);
}

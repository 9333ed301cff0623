import { createHash } from 'node:crypto';
import { Palette } from '../design/design-system.model';
import { escapeHtml } from '../text.format';

/**
 * A placeholder illustration drawn from the palette, different for every title: the site loads
 * no images from the network, so each gallery entry gets a local SVG until a real image replaces it.
 */
export function renderIllustration(title: string, palette: Palette): string {
  const bytes = createHash('sha256').update(title).digest();
  const colors = [palette.primary, palette.accent, palette.link, palette.border];
  const shapes: string[] = [];
  for (let index = 0; index < 5; index++) {
    const x = 40 + (bytes[index * 3] / 255) * 520;
    const y = 40 + (bytes[index * 3 + 1] / 255) * 320;
    const radius = 30 + (bytes[index * 3 + 2] / 255) * 110;
    const color = colors[bytes[16 + index] % colors.length];
    shapes.push(
      index % 2 === 0
        ? `<circle cx="${x.toFixed(0)}" cy="${y.toFixed(0)}" r="${radius.toFixed(0)}" fill="${color}" fill-opacity="0.75"/>`
        : `<rect x="${(x - radius / 2).toFixed(0)}" y="${(y - radius / 2).toFixed(0)}" width="${radius.toFixed(0)}" height="${(radius * 0.7).toFixed(0)}" rx="8" fill="${color}" fill-opacity="0.6"/>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 400" width="600" height="400" role="img">
<title>${escapeHtml(title)}</title>
<rect width="600" height="400" fill="${palette.surface}"/>
${shapes.join('\n')}
</svg>
`;
}

/** A favicon: the site's initial on its primary colour. */
export function renderFavicon(name: string, palette: Palette): string {
  const initial = escapeHtml((name.trim().charAt(0) || 'S').toUpperCase());
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="${palette.primary}"/><text x="32" y="44" font-family="sans-serif" font-size="36" font-weight="700" text-anchor="middle" fill="${palette.onPrimary}">${initial}</text></svg>
`;
}

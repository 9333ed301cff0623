import { DesignSystem } from '../design/design-system.model';

/** The site's one stylesheet: mobile first, widening at 40 and 60 rem. */
export function renderStylesheet(design: DesignSystem): string {
  const { palette, typography, layout } = design;
  const size = (step: number) => `${(typography.scale ** step).toFixed(3)}rem`;
  return `:root {
  color-scheme: ${design.mode};
  --background: ${palette.background};
  --surface: ${palette.surface};
  --text: ${palette.text};
  --muted: ${palette.mutedText};
  --primary: ${palette.primary};
  --on-primary: ${palette.onPrimary};
  --accent: ${palette.accent};
  --link: ${palette.link};
  --border: ${palette.border};
  --radius: ${layout.radiusPx}px;
  --max-width: ${layout.maxWidthPx}px;
  --section-spacing: ${layout.sectionSpacingRem}rem;
}

*, *::before, *::after { box-sizing: border-box; }

html { font-size: ${typography.baseSizePx}px; }

/* The footer stays at the bottom of a short page instead of floating mid-screen. */
body {
  min-height: 100vh;
  display: flex;
  flex-direction: column;
  margin: 0;
  background: var(--background);
  color: var(--text);
  font-family: ${typography.bodyFont};
  line-height: ${typography.lineHeight};
}

h1, h2, h3 {
  font-family: ${typography.headingFont};
  font-weight: ${typography.headingWeight};
  line-height: 1.2;
  margin: 0 0 0.5em;
  /* One long word ("Stadtgeschichte") must not push a heading past a phone's screen. */
  overflow-wrap: anywhere;
  hyphens: auto;
}
main { flex: 1; }
/* Narrow screens scale h1 with their width: a 2.4rem "Programma" broke mid-word at 375 px. */
h1 { font-size: clamp(1.75rem, 8vw, ${size(4)}); }
h2 { font-size: ${size(2)}; }
h3 { font-size: ${size(1)}; }

p { margin: 0 0 1em; max-width: 70ch; }
a { color: var(--link); text-underline-offset: 0.2em; }
a:focus-visible, .button:focus-visible { outline: 3px solid var(--link); outline-offset: 3px; }
img { max-width: 100%; height: auto; display: block; }

.container { width: min(100% - 2rem, var(--max-width)); margin-inline: auto; }

.skip-link { position: absolute; left: -9999px; top: 0; }
.skip-link:focus { left: 1rem; top: 1rem; z-index: 10; background: var(--surface); color: var(--link); padding: 0.5rem 1rem; }

.site-header { background: var(--surface); border-bottom: 1px solid var(--border); }
.header-inner { display: flex; flex-direction: column; gap: 0.5rem; padding-block: 1rem; }
.brand { font-family: ${typography.headingFont}; font-weight: ${typography.headingWeight}; font-size: ${size(1)}; color: var(--text); text-decoration: none; }
.site-nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; }
.site-nav a { text-decoration: none; padding-block: 0.25rem; display: inline-block; }
.site-nav a[aria-current="page"] { text-decoration: underline; text-decoration-thickness: 2px; }

main section, .page-header { padding-block: calc(var(--section-spacing) / 2); }
.hero { padding-block: var(--section-spacing); }
.hero .lead { font-size: ${size(1)}; color: var(--muted); }

.button {
  display: inline-block;
  background: var(--primary);
  color: var(--on-primary);
  padding: 0.75rem 1.5rem;
  border-radius: var(--radius);
  font-weight: 700;
  text-decoration: none;
}

.cards, .gallery, .menu-list, .schedule, .testimonials { list-style: none; margin: 0; padding: 0; display: grid; gap: 1.25rem; }
.cards > li, .menu-list > li, .schedule > li, .testimonials > li {
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: var(--radius);
  padding: 1.25rem;
}
.cards p, .menu-list p, .schedule p { color: var(--muted); margin-bottom: 0; }
.detail { color: var(--accent); font-weight: 700; margin: 0 0 0.25rem; }

.gallery { grid-template-columns: repeat(auto-fill, minmax(min(100%, ${layout.galleryMinColumnPx}px), 1fr)); }
.gallery figure { margin: 0; background: var(--surface); border-radius: var(--radius); overflow: hidden; border: 1px solid var(--border); }
.gallery figcaption { padding: 1rem; color: var(--muted); }
.gallery figcaption strong { display: block; color: var(--text); }

.testimonials blockquote { margin: 0 0 0.5rem; font-size: ${size(1)}; }
.testimonials figure { margin: 0; }
.testimonials figcaption { color: var(--muted); }

.hours { border-collapse: collapse; width: 100%; max-width: 36rem; }
.hours th, .hours td { text-align: left; padding: 0.5rem 0.75rem; border-bottom: 1px solid var(--border); }

.to-fill-in {
  border: 2px dashed var(--accent);
  border-radius: var(--radius);
  background: var(--surface);
  padding: 1rem 1.25rem;
}

address { font-style: normal; display: grid; gap: 0.5rem; }

.site-footer { background: var(--surface); border-top: 1px solid var(--border); padding-block: 2rem; margin-top: var(--section-spacing); }
.site-footer p { color: var(--muted); margin: 0; }

@media (min-width: 40rem) {
  .header-inner { flex-direction: row; align-items: center; justify-content: space-between; }
  .cards, .menu-list, .testimonials { grid-template-columns: repeat(2, 1fr); }
}

@media (min-width: 60rem) {
  .cards, .testimonials { grid-template-columns: repeat(3, 1fr); }
  h1 { font-size: ${size(5)}; }
}

@media (prefers-reduced-motion: reduce) {
  * { scroll-behavior: auto !important; transition: none !important; animation: none !important; }
}
`;
}

/** Colours of a site; every text colour is checked against the backgrounds it is used on. */
export interface Palette {
  background: string;
  surface: string;
  text: string;
  mutedText: string;
  primary: string;
  onPrimary: string;
  /** Prices, times and roles beside item titles. */
  accent: string;
  link: string;
  border: string;
}

/** A text/background pair and its measured WCAG contrast ratio. */
export interface ContrastCheck {
  usage: string;
  foreground: keyof Palette;
  background: keyof Palette;
  foregroundColor: string;
  backgroundColor: string;
  ratio: number;
}

/** The design step's output. */
export interface DesignSystem {
  mode: 'dark' | 'light';
  palette: Palette;
  typography: {
    bodyFont: string;
    headingFont: string;
    baseSizePx: number;
    scale: number;
    lineHeight: number;
    headingWeight: number;
  };
  layout: { maxWidthPx: number; radiusPx: number; galleryMinColumnPx: number; sectionSpacingRem: number };
  contrastChecks: ContrastCheck[];
  /** Colours that had to be changed to pass AA, and why. */
  adjustments: string[];
}

/** One entry of a list section: a dish, a service, a talk, a post, a photograph. */
export interface CopyItem {
  title: string;
  text: string;
  /** A price, a time, a role, a reading time: shown beside the title. */
  detail?: string;
  /** Alt text of the illustration drawn for this item, when it has one. */
  imageAlt?: string;
}

export interface SectionCopy {
  heading: string;
  paragraphs: string[];
  items: CopyItem[];
  /** A link to another page of the site. */
  callToAction: { label: string; targetSlug: string } | null;
  /**
   * What the owner still has to add here ("your opening hours, day by day"), shown as a visible
   * placeholder: the request gave no facts for it, and copy never invents them.
   */
  toFillIn?: string;
}

export interface PageCopy {
  /** The page's h1 (on the home page, the hero's heading). */
  heading: string;
  /** The page's meta description, at most 160 characters. */
  description: string;
  /** By section id. */
  sections: Record<string, SectionCopy>;
}

/** The content step's output: the words of every page and section of the spec. */
export interface SiteCopy {
  tagline: string;
  /** The site's meta description, at most 160 characters. */
  description: string;
  /** Contact details the request gave; empty strings where it gave none (never invented ones). */
  contact: { email: string; phone: string; area: string };
  /** By page slug. */
  pages: Record<string, PageCopy>;
}

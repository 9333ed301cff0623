import { SectionKind, SiteKind } from '../site-spec.model';
import { RequestedDetail } from './requested-detail.model';

/** Words of one section: its heading, an optional first line, and what the owner must add. */
export interface SectionWords {
  heading: string;
  /** A template (see `fillTemplate`); empty when the section needs no introduction. */
  intro: string;
  /** What the owner should fill in, shown as a visible placeholder; empty when nothing is missing. */
  toFillIn: string;
}

/** Words of one kind of site, in one language. */
export interface KindWords {
  /** What the site is about when the request does not say ("local business"). */
  subject: string;
  /** The hero's second line: an invitation, never a claim about the subject. */
  invitation: string;
  callToActionHeading: string;
  callToActionLabel: string;
}

/**
 * Everything the planner reads and the content and builder write in one language: one table per
 * language, so a translation is data, and the grammar test can walk every template.
 *
 * Templates use `{name}`, `{subject}`, `{place}`, `{date}` (`{Subject}` capitalised, `{a subject}`
 * with its English article); a part in square brackets is left out when a slot in it is empty.
 */
export interface SiteWords {
  /** BCP 47 locale for dates. */
  locale: string;
  /** Function words that mark a request as written in this language. */
  stopWords: string[];
  /** Prepositions before a place in a request ("in Porto", "en Sevilla"). */
  placePrepositions: string[];
  /** Month names, January first, lower case; abbreviations may follow after a `|`. */
  months: string[];
  /** Words naming a kind of site, with a weight: an explicit kind word outweighs a hint. */
  kindWords: Record<SiteKind, Array<[string, number]>>;
  /** Words asking for a detail ("opening hours", "horario"). */
  detailWords: Record<RequestedDetail, string[]>;
  /** Titles of the pages, in the navigation and as each page's heading. */
  pageTitles: Record<RequestedDetail | 'home', string>;
  sections: Record<SectionKind, SectionWords>;
  kinds: Record<SiteKind, KindWords>;
  /** The hero's first line: `{subject}`, place and date. */
  tagline: string;
  chrome: {
    skipLink: string;
    navigationLabel: string;
    email: string;
    phone: string;
    /** The label of a placeholder block ("To fill in:"). */
    toFillIn: string;
  };
}

import { DETAIL_SECTIONS, REQUESTED_DETAILS, RequestedDetail } from '../language/requested-detail.model';
import { SITE_WORDS } from '../language/site-words';
import { SITE_LANGUAGES, SectionKind, SiteSpec } from '../site-spec.model';
import { TextWords } from '../text.format';

/**
 * The details a request asks for ("with prices and opening hours", "con horario y precios"),
 * read in every site language, in the order of REQUESTED_DETAILS.
 */
export function readRequestedDetails(request: string): RequestedDetail[] {
  const words = new TextWords(request);
  return REQUESTED_DETAILS.filter((detail) =>
    SITE_LANGUAGES.some((language) =>
      SITE_WORDS[language].detailWords[detail].some((word) => words.has(word)),
    ),
  );
}

/** The sections a request asked for that a plan has on none of its pages. */
export function missingAskedSections(spec: SiteSpec): SectionKind[] {
  const present = new Set(spec.pages.flatMap((page) => page.sections.map((section) => section.kind)));
  const asked = readRequestedDetails(spec.request).map((detail) => DETAIL_SECTIONS[detail].section);
  return [...new Set(asked)].filter((section) => !present.has(section));
}

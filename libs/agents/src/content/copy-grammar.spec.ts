import { needsAn } from '../language/copy-template';
import { formatEventDate } from '../language/event-date';
import { DETAIL_SECTIONS, REQUESTED_DETAILS } from '../language/requested-detail.model';
import { SITE_WORDS } from '../language/site-words';
import { detailPage } from '../planner/page-catalog.rules';
import { SITE_KINDS, SITE_LANGUAGES, SiteKind, SiteLanguage, SiteSpec } from '../site-spec.model';
import { titleCase } from '../text.format';
import { SiteCopy } from './site-copy.model';
import { writeCopyByRules } from './site-copy.rules';

// Subjects as requests name them: vowel and consonant sounds, plurals, a proper noun, a long phrase.
const SUBJECTS: Record<SiteLanguage, string[]> = {
  en: [
    'bike repair shop',
    'urban farm',
    'university choir',
    'hour-long yoga class',
    'Italian trattoria',
    'electricians',
  ],
  es: ['panadería', 'taller de bicicletas', 'estudio de yoga', 'ONG de barrio'],
  fr: ['boulangerie', 'atelier vélo', 'association de quartier', 'hôtel-restaurant'],
  de: ['Bäckerei', 'Fahrradwerkstatt', 'Yogastudio', 'Verein für Stadtgärten'],
  pt: ['padaria', 'oficina de bicicletas', 'associação de moradores', 'estúdio de ioga'],
  it: ['pizzeria', 'ciclofficina', 'associazione di quartiere', 'studio di yoga'],
};
const NAMES = ['', 'Ana and Luis', "Luigi's", 'Harbour Jazz Festival'];
const PLACES = ['', 'Porto', 'San Sebastián'];
const DATES = ['', '12 September 2026', '3 March'];

// A determiner followed by a possessive or another article: "The our services", "el nuestro".
const BROKEN_AGREEMENT: Record<SiteLanguage, RegExp> = {
  en: /(?<![\p{L}])(?:the|a|an)\s+(?:our|my|your|their|his|her|its|the|a|an)(?![\p{L}])/iu,
  es: /(?<![\p{L}])(?:el|la|los|las|un|una)\s+(?:nuestro|nuestra|mi|tu|su|vuestro|vuestra|el|la|un|una)(?![\p{L}])/iu,
  fr: /(?<![\p{L}])(?:le|la|les|un|une)\s+(?:notre|mon|ma|mes|votre|le|la|les|un|une)(?![\p{L}])/iu,
  de: /(?<![\p{L}])(?:der|die|das|ein|eine)\s+(?:unser|unsere|mein|meine|ihr|ihre|der|die|das|ein|eine)(?![\p{L}])/iu,
  pt: /(?<![\p{L}])(?:um|uma|o|a|os|as)\s+(?:um|uma|o|os|as)(?![\p{L}])/iu,
  it: /(?<![\p{L}])(?:un|una|il|lo|la)\s+(?:un|una|il|lo|la|mio|mia)(?![\p{L}])/iu,
};

/** Every grammar defect of the kinds the issue names found in one piece of copy. */
function defectsOf(text: string, language: SiteLanguage): string[] {
  const defects: string[] = [];
  const doubled = /(?<![\p{L}])(\p{L}+)\s+\1(?![\p{L}])/iu.exec(text);
  if (doubled) defects.push(`doubled word "${doubled[0]}"`);
  const agreement = BROKEN_AGREEMENT[language].exec(text);
  if (agreement) defects.push(`broken agreement "${agreement[0]}"`);
  if (language === 'en') {
    for (const match of text.matchAll(/(?<![\p{L}])(a|an)\s+([\p{L}-]+)/giu)) {
      const [, article, word] = match;
      // A capital "A" may start a title ("A year of sketches"); only articles before a noun matter.
      if ((article.toLowerCase() === 'an') !== needsAn(word)) defects.push(`"${match[0]}"`);
    }
  }
  if (/[{}[\]]|undefined|null/.test(text)) defects.push('an unfilled template slot');
  if (/ {2}|\s[,.]|,\s*[.,]|\.\s*\./.test(text)) defects.push('stray spacing or punctuation');
  if (/^\p{Ll}/u.test(text)) defects.push('a lower-case start');
  return defects;
}

function strings(copy: SiteCopy, language: SiteLanguage): string[] {
  const found: string[] = [copy.tagline, copy.description];
  for (const page of Object.values(copy.pages)) {
    found.push(page.heading, page.description);
    for (const section of Object.values(page.sections)) {
      found.push(section.heading, ...section.paragraphs);
      if (section.callToAction) found.push(section.callToAction.label);
      // A placeholder continues the sentence its label starts ("To fill in: your opening hours").
      if (section.toFillIn) found.push(`${SITE_WORDS[language].chrome.toFillIn} ${section.toFillIn}`);
    }
  }
  return found.filter((text) => text !== '');
}

function specOf(
  language: SiteLanguage,
  kind: SiteKind,
  subject: string,
  name: string,
  place: string,
  date: string,
): SiteSpec {
  const words = SITE_WORDS[language];
  return {
    kind,
    // The planner names a site after its subject in title case when the request gives no name.
    name: name || titleCase(subject),
    subject,
    tone: 'friendly',
    theme: { mode: null, colors: [] },
    // Every page the content rules can write, whatever a request would have asked.
    pages: [
      {
        slug: 'index',
        title: words.pageTitles.home,
        sections: (['hero', 'about', 'features', 'testimonials', 'call-to-action'] as const).map(
          (section) => ({
            id: section,
            kind: section,
          }),
        ),
      },
      ...REQUESTED_DETAILS.map((detail) => detailPage(detail, language)),
      {
        slug: 'workshops',
        title: 'Workshops',
        sections: [{ id: 'main', kind: 'text', heading: 'Workshops' }],
      },
    ],
    location: place || null,
    eventDate: date || null,
    requestLanguage: language,
    request: subject,
  };
}

describe('the copy templates, over every language, kind and vocabulary', () => {
  it.each(SITE_LANGUAGES)(
    'writes %s copy with no doubled words, article mistakes or broken agreement',
    (language) => {
      const defects = new Set<string>();
      let checked = 0;
      const subjects = [
        ...SUBJECTS[language],
        ...SITE_KINDS.map((kind) => SITE_WORDS[language].kinds[kind].subject),
      ];
      for (const kind of SITE_KINDS)
        for (const subject of subjects)
          for (const name of NAMES)
            for (const place of PLACES)
              for (const date of DATES) {
                const copy = writeCopyByRules(specOf(language, kind, subject, name, place, date));
                for (const text of strings(copy, language)) {
                  checked++;
                  for (const defect of defectsOf(text, language)) defects.add(`${defect} in "${text}"`);
                }
              }
      expect(checked).toBeGreaterThan(10000);
      expect([...defects]).toEqual([]);
    },
  );

  it('covers every section a detail can ask for', () => {
    const sections = new Set(Object.values(DETAIL_SECTIONS).map(({ section }) => section));
    for (const language of SITE_LANGUAGES)
      for (const section of sections) expect(SITE_WORDS[language].sections[section].toFillIn).not.toBe('');
  });

  it('finds each kind of defect it looks for', () => {
    expect(defectsOf('Meet the the wedding party.', 'en')).toEqual([
      'doubled word "the the"',
      'broken agreement "the the"',
    ]);
    expect(defectsOf('The our services was great.', 'en')).toEqual(['broken agreement "The our"']);
    expect(defectsOf('I am a electrician.', 'en')).toEqual(['"a electrician"']);
    expect(defectsOf('An bakery, an hour, a university.', 'en')).toEqual(['"An bakery"']);
    expect(defectsOf('Hola, soy el nuestro panadero.', 'es')).toEqual(['broken agreement "el nuestro"']);
    expect(defectsOf('Dates: 12 {date}.', 'fr')).toEqual(['an unfilled template slot']);
  });

  it('writes dates the way each language does', () => {
    expect(formatEventDate('12 September 2026', 'es')).toBe('12 de septiembre de 2026');
    expect(formatEventDate('12 September 2026', 'de')).toBe('12. September 2026');
    expect(formatEventDate('14 de junio', 'fr')).toBe('14 juin');
    expect(formatEventDate('sometime soon', 'it')).toBe('sometime soon');
  });
});

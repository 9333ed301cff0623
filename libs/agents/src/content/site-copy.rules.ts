import { PageSpec, SectionSpec, SiteSpec, Tone } from '../site-spec.model';
import { slugify, truncate, withArticle } from '../text.format';
import { vocabularyFor, Vocabulary } from './content-vocabulary.rules';
import { CopyItem, PageCopy, SectionCopy, SiteCopy } from './site-copy.model';

interface Voice {
  welcome: (name: string) => string;
  invitation: string;
  contactLabel: string;
  closing: string;
}

const VOICES: Record<Tone, Voice> = {
  professional: {
    welcome: (name) => `${name} — dependable work, clearly explained.`,
    invitation: 'Tell us what you need and we will reply within one working day.',
    contactLabel: 'Get in touch',
    closing: 'We look forward to working with you.',
  },
  friendly: {
    welcome: (name) => `Welcome to ${name}.`,
    invitation: 'Drop us a line — we love hearing from you.',
    contactLabel: 'Say hello',
    closing: 'See you soon!',
  },
  playful: {
    welcome: (name) => `Hello there, and welcome to ${name}!`,
    invitation: 'Got an idea? Let’s make something fun together.',
    contactLabel: 'Let’s talk',
    closing: 'Go on, say hi — we don’t bite.',
  },
  elegant: {
    welcome: (name) => name,
    invitation: 'For commissions, collaborations and enquiries, please write.',
    contactLabel: 'Make an enquiry',
    closing: 'With thanks for your interest.',
  },
  bold: {
    welcome: (name) => `${name}. Don’t miss it.`,
    invitation: 'Questions? Ask us anything, any time.',
    contactLabel: 'Contact us now',
    closing: 'Be there.',
  },
};

/** The people, talks and ticket words an event uses, by what kind of event it is. */
function eventWords(request: string): { people: string; person: string; sessions: Array<[string, string]> } {
  const lower = request.toLowerCase();
  if (/wedding|boda|mariage|hochzeit/.test(lower)) {
    return {
      people: 'The wedding party',
      person: 'Wedding party',
      sessions: [
        ['Guests arrive', 'Find your seat; ushers will guide you.'],
        ['Ceremony', 'Please switch phones to silent.'],
        ['Drinks in the garden', 'Lawn games and photographs.'],
        ['Wedding breakfast', 'A long-table dinner for everyone.'],
        ['Speeches', 'Short ones, we have been promised.'],
        ['First dance and party', 'Dancing until late.'],
      ],
    };
  }
  if (/festival|concert|gig|music/.test(lower)) {
    return {
      people: 'Lineup',
      person: 'Performer',
      sessions: [
        ['Gates open', 'Food stalls, bars and the market open.'],
        ['Opening act', 'Fresh local talent on the main stage.'],
        ['Afternoon stage', 'Sets back to back under the big top.'],
        ['Headliner', 'The moment everyone came for.'],
        ['Late set', 'Something smaller and stranger on the second stage.'],
        ['Closing', 'Last orders and a farewell from the organisers.'],
      ],
    };
  }
  return {
    people: 'Speakers',
    person: 'Speaker',
    sessions: [
      ['Registration and coffee', 'Collect your badge and meet other attendees.'],
      ['Opening keynote', 'The big ideas that frame the day.'],
      ['Morning talks', 'Short talks from practitioners, with time for questions.'],
      ['Lunch and demos', 'Food, conversation and hands-on demonstrations.'],
      ['Workshops', 'Small groups, practical exercises, real problems.'],
      ['Closing panel and drinks', 'What we learned, then a drink together.'],
    ],
  };
}

/**
 * Writes every page and section of a spec with rules and templates: the offline content writer,
 * and the fallback when a language model's answer is unusable.
 */
export function writeCopyByRules(spec: SiteSpec): SiteCopy {
  const vocabulary = vocabularyFor(spec.kind, `${spec.request} ${spec.subject}`);
  const voice = VOICES[spec.tone];
  const preferred =
    spec.kind === 'event'
      ? ['tickets', 'contact']
      : spec.kind === 'restaurant'
        ? ['visit', 'contact']
        : ['contact'];
  const contactSlug =
    preferred.find((slug) => spec.pages.some((page) => page.slug === slug)) ??
    spec.pages.find((page) => page.slug !== 'index')?.slug ??
    null;
  const domain = slugify(spec.name, 30) || 'my-site';
  const writer = new CopyWriter(spec, vocabulary, voice, contactSlug);
  const tagline = writer.tagline();
  const pages: Record<string, PageCopy> = {};
  for (const page of spec.pages) pages[page.slug] = writer.page(page, tagline);
  return {
    tagline,
    description: truncate(`${spec.name}: ${tagline}`, 160),
    contact: {
      email: `hello@${domain}.example`,
      // 555-01xx numbers are reserved for fiction, so a generated site never rings a real person.
      phone: '+1 555 0100',
      area: spec.location ?? 'Online and by appointment',
    },
    pages,
  };
}

class CopyWriter {
  constructor(
    private readonly spec: SiteSpec,
    private readonly vocabulary: Vocabulary,
    private readonly voice: Voice,
    private readonly contactSlug: string | null,
  ) {}

  tagline(): string {
    const { kind, subject, location, eventDate } = this.spec;
    const where = location ? ` in ${location}` : '';
    switch (kind) {
      case 'portfolio':
        return `The portfolio of ${withArticle(subject)}: selected ${this.vocabulary.craft}, commissions and prints.`;
      case 'blog':
        return `Notes, stories and practical guides about ${subject}.`;
      case 'restaurant':
        return `${capitalize(this.vocabulary.craft)}${where}, made with care every day.`;
      case 'small-business':
        return `${capitalize(this.vocabulary.craft === 'our services' ? subject : this.vocabulary.craft)}${where} you can rely on.`;
      case 'event':
        return `${capitalize(subject)}${eventDate ? `, ${eventDate}` : ''}${where}.`;
      case 'personal':
        return `The personal site of ${withArticle(subject)}.`;
    }
  }

  page(page: PageSpec, tagline: string): PageCopy {
    const isHome = page.slug === 'index';
    const sections: Record<string, SectionCopy> = {};
    for (const section of page.sections) sections[section.id] = this.section(section, page);
    // A page that opens with a hero uses the hero's heading as its h1.
    const hero = page.sections[0]?.kind === 'hero' ? sections[page.sections[0].id] : undefined;
    const heading = hero?.heading ?? (isHome ? this.spec.name : page.title);
    const description = isHome
      ? `${this.spec.name}: ${tagline}`
      : `${page.title} — ${this.spec.name}. ${tagline}`;
    return { heading, description: truncate(description, 160), sections };
  }

  private section(section: SectionSpec, page: PageSpec): SectionCopy {
    const { spec, vocabulary, voice } = this;
    const copy = (
      heading: string,
      paragraphs: string[],
      items: CopyItem[] = [],
      withCallToAction = false,
    ): SectionCopy => ({
      heading: section.heading ?? heading,
      paragraphs,
      items,
      callToAction: withCallToAction ? this.callToAction(page) : null,
    });
    switch (section.kind) {
      case 'hero':
        return copy(voice.welcome(spec.name), [this.tagline(), this.heroLine()], [], true);
      case 'about':
        return copy(
          spec.kind === 'restaurant' ? 'Our story' : spec.kind === 'small-business' ? 'About us' : 'About',
          this.aboutParagraphs(),
        );
      case 'gallery':
        return copy(
          spec.kind === 'portfolio' ? 'Selected work' : 'Projects',
          [
            `A selection of ${vocabulary.craft}. Each piece is shown here with a placeholder illustration until its image is added.`,
          ],
          vocabulary.showcase.map((item) => ({
            ...item,
            imageAlt: `Placeholder illustration for “${item.title}”`,
          })),
        );
      case 'services':
        return copy(
          spec.kind === 'portfolio' ? 'Commissions' : 'What we do',
          [this.servicesIntro()],
          vocabulary.offers,
        );
      case 'features':
        return copy(
          spec.kind === 'event'
            ? 'Why come'
            : spec.kind === 'restaurant'
              ? 'What makes us different'
              : 'What I care about',
          [],
          vocabulary.highlights,
        );
      case 'posts':
        return copy('Latest posts', [`Recent writing about ${spec.subject}.`], this.posts());
      case 'menu':
        return copy(
          'From the kitchen',
          [`Dishes change with the seasons; ask us about allergens and today’s specials.`],
          vocabulary.showcase.map((dish) => ({
            ...dish,
            detail: dish.detail ? `${currencyOf(spec)}${dish.detail}` : undefined,
          })),
        );
      case 'hours':
        return copy(
          'Opening hours',
          [
            spec.location
              ? `Find us in ${spec.location}.`
              : 'Walk-ins welcome; booking recommended at weekends.',
          ],
          OPENING_HOURS,
        );
      case 'schedule':
        return copy(
          'Running order',
          [spec.eventDate ? `All times are local, on ${spec.eventDate}.` : 'All times are local.'],
          this.schedule(),
        );
      case 'people':
        return copy(spec.kind === 'event' ? eventWords(spec.request).people : 'The team', [], this.people());
      case 'testimonials':
        return copy('Kind words', [], this.testimonials());
      case 'pricing':
        return copy(
          spec.kind === 'event' ? 'Tickets' : 'Prices',
          [
            spec.kind === 'event'
              ? 'Book early: places are limited.'
              : 'Every quote is confirmed in writing before work starts.',
          ],
          vocabulary.offers.map((offer) => ({
            ...offer,
            detail:
              offer.detail && /^\d/.test(offer.detail) ? `${currencyOf(spec)}${offer.detail}` : offer.detail,
          })),
        );
      case 'faq':
        return copy('Frequently asked questions', [], this.faq());
      case 'contact':
        return copy('Get in touch', [voice.invitation, voice.closing]);
      case 'text':
        return copy(
          page.title,
          [
            `This page is about ${page.title.toLowerCase()} at ${spec.name}.`,
            `More about ${page.title.toLowerCase()} will appear here soon. ${voice.invitation}`,
          ],
          [],
          true,
        );
      case 'call-to-action':
        return copy(CALL_TO_ACTION_HEADINGS[spec.kind], [this.callToActionLine()], [], true);
    }
  }

  private heroLine(): string {
    const { kind, subject } = this.spec;
    switch (kind) {
      case 'portfolio':
        return `Browse selected work, read about the approach behind it, and get in touch about commissions.`;
      case 'blog':
        return `New posts every week for anyone curious about ${subject}.`;
      case 'restaurant':
        return `Book a table, browse the menu, or just drop in.`;
      case 'small-business':
        return `Friendly, reliable service from people who know their trade.`;
      case 'event':
        return `See the schedule, meet the ${eventWords(this.spec.request).people.toLowerCase()} and get your place.`;
      case 'personal':
        return `Here you will find what I am working on and how to reach me.`;
    }
  }

  private aboutParagraphs(): string[] {
    const { kind, subject, name, location } = this.spec;
    const craft = this.vocabulary.craft;
    const where = location ? ` in ${location}` : '';
    switch (kind) {
      case 'portfolio':
        return [
          `${name} is the work of ${withArticle(subject)}${where}. The focus is ${craft}: patient, careful and honest about its subject.`,
          `Clients include publishers, studios and private collectors. Every project begins with a conversation about what the work should do.`,
        ];
      case 'blog':
        return [
          `${name} started as a notebook about ${subject} and grew into a place to share what I learn.`,
          `Posts are practical and personal: the successes, the failures and everything in between.`,
        ];
      case 'restaurant':
        return [
          `${name} is ${withArticle(subject)}${where}. We cook ${craft} with ingredients from growers we know by name.`,
          `Our kitchen is small and our menu is short, so everything on it is made with care.`,
        ];
      case 'small-business':
        return [
          `${name} is ${withArticle(subject)}${where}, independently owned and run.`,
          `We built our name one job at a time, and most of our customers come to us through friends and neighbours.`,
        ];
      case 'event':
        return [
          `${capitalize(subject)} brings people together for a day of ideas, conversation and celebration.`,
        ];
      case 'personal':
        return [
          `Hello! I am ${withArticle(subject)}${where}. This site collects my projects, writing and ways to get in touch.`,
          `I enjoy learning in public, so you will find work in progress here as well as finished pieces.`,
        ];
    }
  }

  private servicesIntro(): string {
    return this.spec.kind === 'portfolio'
      ? `Available for commissions in ${this.vocabulary.craft}.`
      : `Here is what ${this.spec.name} can do for you.`;
  }

  private posts(): CopyItem[] {
    const topic = this.spec.subject.replace(/^about\s+/i, '');
    return [
      {
        title: `Getting started with ${topic}`,
        text: `Everything I wish someone had told me on day one.`,
        detail: '6 min read',
      },
      {
        title: `Five lessons from a year of ${topic}`,
        text: `What a year of trying, failing and trying again taught me.`,
        detail: '8 min read',
      },
      {
        title: `The tools I actually use for ${topic}`,
        text: `A short, honest list — no affiliate links.`,
        detail: '5 min read',
      },
      {
        title: `Common ${topic} mistakes and how to fix them`,
        text: `The problems readers ask about most, answered.`,
        detail: '7 min read',
      },
    ].map((post) => ({ ...post, title: truncate(post.title, 80) }));
  }

  private schedule(): CopyItem[] {
    const times = ['09:00', '10:00', '11:30', '13:00', '14:30', '17:00'];
    return eventWords(this.spec.request).sessions.map(([title, text], index) => ({
      title,
      detail: times[index],
      text,
    }));
  }

  private people(): CopyItem[] {
    const role = this.spec.kind === 'event' ? eventWords(this.spec.request).person : 'Team member';
    return [
      {
        title: 'Alex Morgan',
        detail: this.spec.kind === 'event' ? role : 'Founder',
        text: 'Has been part of this from the very beginning.',
      },
      {
        title: 'Sam Rivera',
        detail: this.spec.kind === 'event' ? role : 'Operations',
        text: 'Keeps everything running smoothly.',
      },
      {
        title: 'Jordan Lee',
        detail: this.spec.kind === 'event' ? role : 'Customer care',
        text: 'The friendly voice on the phone.',
      },
    ];
  }

  private testimonials(): CopyItem[] {
    const craft = this.vocabulary.craft;
    return [
      {
        title: 'Priya S.',
        text: `“Thoughtful, reliable and a pleasure to deal with. The ${craft} was exactly what we hoped for.”`,
      },
      { title: 'Tom H.', text: `“We have recommended ${this.spec.name} to everyone we know.”` },
      { title: 'Maria L.', text: `“Attention to detail you rarely find. We will be back.”` },
    ];
  }

  private faq(): CopyItem[] {
    const { kind, name } = this.spec;
    if (kind === 'event') {
      return [
        {
          title: 'Is the venue accessible?',
          text: 'Yes: step-free access throughout, with quiet spaces available.',
        },
        { title: 'Can I transfer my ticket?', text: 'Yes, free of charge until one week before the event.' },
        {
          title: 'Will food be provided?',
          text: 'Lunch and drinks are included, with vegetarian and vegan options.',
        },
      ];
    }
    return [
      { title: 'How do I book?', text: `Email or call ${name}; we reply within one working day.` },
      { title: 'Do you give quotes in advance?', text: 'Yes, always in writing and always free.' },
      {
        title: 'Which areas do you cover?',
        text: this.spec.location ? `${this.spec.location} and nearby.` : 'We work with clients near and far.',
      },
    ];
  }

  private callToActionLine(): string {
    switch (this.spec.kind) {
      case 'event':
        return 'Places are limited. Reserve yours today.';
      case 'restaurant':
        return 'Book a table for lunch or dinner.';
      case 'blog':
        return 'Have a question or a story to share? I would love to hear it.';
      default:
        return this.voice.invitation;
    }
  }

  private callToAction(page: PageSpec): SectionCopy['callToAction'] {
    if (!this.contactSlug || this.contactSlug === page.slug) return null;
    const label =
      this.spec.kind === 'event' && this.contactSlug === 'tickets'
        ? 'Get tickets'
        : this.spec.kind === 'restaurant'
          ? 'Book a table'
          : this.voice.contactLabel;
    return { label, targetSlug: this.contactSlug };
  }
}

const CALL_TO_ACTION_HEADINGS: Record<SiteSpec['kind'], string> = {
  portfolio: 'Let’s work together',
  blog: 'Write to me',
  restaurant: 'Book a table',
  'small-business': 'Ask for a quote',
  event: 'Join us',
  personal: 'Say hello',
};

const OPENING_HOURS: CopyItem[] = [
  { title: 'Monday', text: 'Closed' },
  { title: 'Tuesday to Thursday', text: '12:00–15:00 and 18:00–22:00' },
  { title: 'Friday and Saturday', text: '12:00–15:00 and 18:00–23:00' },
  { title: 'Sunday', text: '12:00–17:00' },
];

function currencyOf(spec: SiteSpec): string {
  return ['es', 'fr', 'de', 'it', 'pt'].includes(spec.requestLanguage) ? '€' : '$';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

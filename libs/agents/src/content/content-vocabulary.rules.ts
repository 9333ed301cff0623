import { SiteKind } from '../site-spec.model';
import { CopyItem } from './site-copy.model';

/** Words and lists for one field (wildlife photography, Italian food, plumbing...). */
export interface Vocabulary {
  /** How the copy refers to the work ("wildlife photography"). */
  craft: string;
  /** Showcase entries: photographs, dishes, services, talks, projects, posts. */
  showcase: Array<Omit<CopyItem, 'imageAlt'>>;
  /** What is offered: services, commissions, ticket types. */
  offers: Array<Omit<CopyItem, 'imageAlt'>>;
  /** Three reasons to choose this site's subject. */
  highlights: Array<Omit<CopyItem, 'imageAlt'>>;
}

interface Domain extends Vocabulary {
  kinds: SiteKind[];
  words: string[];
}

// Ordered from specific to general: the first domain whose words appear in the request wins.
const DOMAINS: Domain[] = [
  {
    kinds: ['portfolio', 'personal'],
    words: ['wildlife', 'nature', 'bird', 'safari', 'animal'],
    craft: 'wildlife photography',
    showcase: [
      { title: 'Red fox at first light', text: 'Three mornings of waiting at the edge of a frosted meadow.' },
      { title: 'Herons over the marsh', text: 'A low winter sun behind a line of grey herons.' },
      { title: 'Elephants at the waterhole', text: 'A family herd arriving at dusk in the dry season.' },
      { title: 'Snow leopard on the high pass', text: 'Tracked for eleven days at four thousand metres.' },
      { title: 'Kingfisher mid-dive', text: 'One frame in a thousand, taken from a riverside hide.' },
      { title: 'Wolves in winter fog', text: 'A pack crossing a frozen valley before the fog lifted.' },
    ],
    offers: [
      {
        title: 'Fine-art prints',
        text: 'Archival prints on cotton rag paper, signed and numbered.',
        detail: 'From 120',
      },
      {
        title: 'Editorial commissions',
        text: 'Assignments for magazines, books and conservation charities.',
        detail: 'On request',
      },
      {
        title: 'Field workshops',
        text: 'Small-group days on fieldcraft, patience and light.',
        detail: 'Seasonal',
      },
    ],
    highlights: [
      { title: 'Ethical fieldcraft', text: 'No baiting and no disturbance: the animal always comes first.' },
      { title: 'Patient work', text: 'Most images take days of waiting in the same spot.' },
      { title: 'Stories, not just pictures', text: 'Every series comes with notes from the field.' },
    ],
  },
  {
    kinds: ['portfolio', 'personal', 'small-business'],
    words: [
      'wedding photographer',
      'portrait',
      'photographer',
      'photography',
      'fotógrafo',
      'photographe',
      'fotograf',
    ],
    craft: 'photography',
    showcase: [
      {
        title: 'Morning light, studio two',
        text: 'A portrait series made with a single window and a reflector.',
      },
      { title: 'The long table', text: 'A summer wedding told from the first toast to the last dance.' },
      { title: 'City at blue hour', text: 'Streets and rooftops in the twenty minutes after sunset.' },
      { title: 'Hands at work', text: 'Makers and their tools, photographed where they work.' },
      { title: 'Coastline studies', text: 'Long exposures of the same cove through four seasons.' },
      { title: 'Family, unposed', text: 'An afternoon at home, without a single "say cheese".' },
    ],
    offers: [
      {
        title: 'Portrait sessions',
        text: 'Relaxed sessions in the studio or on location.',
        detail: 'From 250',
      },
      {
        title: 'Weddings and events',
        text: 'Documentary coverage from the preparations to the last dance.',
        detail: 'From 1,800',
      },
      { title: 'Prints and albums', text: 'Archival prints and hand-bound albums.', detail: 'From 90' },
    ],
    highlights: [
      { title: 'Natural light', text: 'Honest images that look like the day felt.' },
      { title: 'Calm on the day', text: 'A quiet presence that lets people be themselves.' },
      { title: 'Delivered on time', text: 'Edited galleries within three weeks, every time.' },
    ],
  },
  {
    kinds: ['portfolio', 'personal', 'small-business'],
    words: [
      'designer',
      'design',
      'brand',
      'branding',
      'ux',
      'ui',
      'illustrator',
      'illustration',
      'artist',
      'painter',
    ],
    craft: 'design',
    showcase: [
      {
        title: 'Identity for a coffee roaster',
        text: 'A logo, packaging system and signage for a small-batch roastery.',
      },
      {
        title: 'Museum wayfinding',
        text: 'Signs and maps that helped visitors find their way in three languages.',
      },
      { title: 'Banking app redesign', text: 'A calmer, clearer app that halved support calls.' },
      { title: 'Festival poster series', text: 'Twelve screen-printed posters for a summer music festival.' },
      { title: 'Children’s book illustrations', text: 'Thirty-two spreads in gouache for a picture book.' },
      { title: 'Type specimen', text: 'A printed specimen for an independent type foundry.' },
    ],
    offers: [
      {
        title: 'Brand identity',
        text: 'Names, logos and the systems that keep them consistent.',
        detail: '4–8 weeks',
      },
      {
        title: 'Digital products',
        text: 'Research, interface design and prototypes that developers love.',
        detail: '6–12 weeks',
      },
      { title: 'Art direction', text: 'Campaigns, shoots and editorial design.', detail: 'By project' },
    ],
    highlights: [
      { title: 'Clear thinking first', text: 'Every project starts with the problem, not the pixels.' },
      { title: 'Made to last', text: 'Systems that still work years after launch.' },
      { title: 'Close collaboration', text: 'You see work early and often.' },
    ],
  },
  {
    kinds: ['portfolio', 'personal', 'small-business'],
    words: ['architect', 'architecture', 'interior'],
    craft: 'architecture',
    showcase: [
      { title: 'Timber house on the coast', text: 'A low-energy family home built from local larch.' },
      { title: 'Library extension', text: 'A light-filled reading room added to a Victorian library.' },
      { title: 'Courtyard apartments', text: 'Twelve homes arranged around a shared garden.' },
      { title: 'Converted granary', text: 'An old grain store turned into studios and a café.' },
      { title: 'Primary school pavilion', text: 'A timber classroom that opens onto the playground.' },
      { title: 'Small city garden room', text: 'A six-square-metre retreat at the end of a terrace garden.' },
    ],
    offers: [
      { title: 'New homes', text: 'From the first sketch to the keys in your hand.', detail: 'By project' },
      {
        title: 'Extensions and renovations',
        text: 'More light and space in the home you already love.',
        detail: 'By project',
      },
      {
        title: 'Feasibility studies',
        text: 'What your site can hold, and what it will cost.',
        detail: 'Fixed fee',
      },
    ],
    highlights: [
      { title: 'Low-energy by default', text: 'Buildings that are cheap to heat and kind to the planet.' },
      { title: 'Planning experience', text: 'A strong record of approvals in sensitive places.' },
      { title: 'Clear costs', text: 'Budgets checked at every stage.' },
    ],
  },
  {
    kinds: ['portfolio', 'personal', 'small-business'],
    words: ['developer', 'engineer', 'software', 'programmer', 'coder', 'data scientist'],
    craft: 'software engineering',
    showcase: [
      {
        title: 'Open-source mapping library',
        text: 'A small, fast library for drawing maps, used by thousands of sites.',
      },
      { title: 'Clinic booking system', text: 'Appointment booking that cut no-shows by a third.' },
      { title: 'Realtime dashboard', text: 'Live figures for a logistics team, updated every second.' },
      { title: 'Command-line toolkit', text: 'Everyday scripts turned into a tested, documented tool.' },
      { title: 'Accessibility audit', text: 'A public service website brought up to WCAG AA.' },
      { title: 'Conference talk', text: 'Thirty minutes on testing code that talks to the network.' },
    ],
    offers: [
      {
        title: 'Web applications',
        text: 'Reliable, accessible applications built to be maintained.',
        detail: 'By project',
      },
      {
        title: 'Code reviews and audits',
        text: 'A fresh pair of eyes on performance, security and tests.',
        detail: 'Fixed fee',
      },
      {
        title: 'Mentoring',
        text: 'Pairing sessions for developers early in their careers.',
        detail: 'Hourly',
      },
    ],
    highlights: [
      { title: 'Tested and documented', text: 'Code that the next person can change with confidence.' },
      { title: 'Accessible by default', text: 'Built for keyboards, screen readers and slow networks.' },
      { title: 'Plain explanations', text: 'Decisions written down in words everyone can follow.' },
    ],
  },
  {
    kinds: ['restaurant'],
    words: [
      'italian',
      'italiano',
      'italiana',
      'italien',
      'italienisch',
      'pizza',
      'pizzeria',
      'trattoria',
      'pasta',
      'ristorante',
    ],
    craft: 'Italian cooking',
    showcase: [
      {
        title: 'Burrata with heritage tomatoes',
        text: 'Creamy burrata, basil oil and sea salt.',
        detail: '11',
      },
      {
        title: 'Tagliatelle al ragù',
        text: 'Hand-cut egg pasta with an eight-hour beef and pork ragù.',
        detail: '16',
      },
      {
        title: 'Margherita',
        text: 'San Marzano tomato, fior di latte and basil, from the wood oven.',
        detail: '12',
      },
      {
        title: 'Risotto ai funghi',
        text: 'Carnaroli rice with wild mushrooms and aged parmesan.',
        detail: '17',
      },
      { title: 'Sea bass al cartoccio', text: 'Baked in paper with lemon, capers and fennel.', detail: '22' },
      { title: 'Tiramisù', text: 'Made every morning with espresso from our neighbours.', detail: '7' },
    ],
    offers: [],
    highlights: [
      { title: 'Pasta made daily', text: 'Rolled and cut by hand every morning.' },
      { title: 'Wood-fired oven', text: 'Pizza and roasts cooked at 450 degrees.' },
      { title: 'Italian wines', text: 'A list of small producers from every region.' },
    ],
  },
  {
    kinds: ['restaurant'],
    words: ['japanese', 'sushi', 'ramen', 'izakaya', 'japonés', 'japonais'],
    craft: 'Japanese cooking',
    showcase: [
      { title: 'Edamame with sea salt', text: 'Steamed young soy beans, a classic start.', detail: '5' },
      { title: 'Salmon nigiri', text: 'Two pieces on seasoned rice, brushed with soy.', detail: '7' },
      { title: 'Tonkotsu ramen', text: 'Pork bone broth, chashu, soft egg and spring onion.', detail: '15' },
      { title: 'Chicken karaage', text: 'Crisp ginger-marinated chicken with yuzu mayonnaise.', detail: '9' },
      { title: 'Chef’s sashimi selection', text: 'Twelve slices of the day’s best fish.', detail: '24' },
      { title: 'Matcha ice cream', text: 'Made in house with ceremonial-grade matcha.', detail: '6' },
    ],
    offers: [],
    highlights: [
      { title: 'Fish from the morning market', text: 'Bought fresh every day and served the same day.' },
      { title: 'Broth simmered overnight', text: 'Eighteen hours for a ramen broth worth the wait.' },
      { title: 'Counter seats', text: 'Watch the chefs work a few feet away.' },
    ],
  },
  {
    kinds: ['restaurant'],
    words: ['mexican', 'taqueria', 'tacos', 'mexicano', 'mexicain'],
    craft: 'Mexican cooking',
    showcase: [
      { title: 'Guacamole and totopos', text: 'Made to order, with chips fried in house.', detail: '8' },
      { title: 'Tacos al pastor', text: 'Marinated pork, pineapple, onion and coriander.', detail: '11' },
      { title: 'Mole poblano', text: 'Chicken in a mole of twenty-six ingredients.', detail: '17' },
      {
        title: 'Baja fish tacos',
        text: 'Beer-battered fish, cabbage slaw and chipotle cream.',
        detail: '12',
      },
      { title: 'Elote', text: 'Grilled corn with lime, chilli and cotija.', detail: '6' },
      { title: 'Churros', text: 'With a dark chocolate and cinnamon dip.', detail: '7' },
    ],
    offers: [],
    highlights: [
      { title: 'Tortillas pressed by hand', text: 'Fresh masa every morning.' },
      { title: 'Salsas made daily', text: 'From mild verde to smoky chipotle.' },
      { title: 'Mezcal bar', text: 'Over forty mezcals from small producers.' },
    ],
  },
  {
    kinds: ['restaurant'],
    words: ['indian', 'curry', 'tandoori', 'indio', 'indien'],
    craft: 'Indian cooking',
    showcase: [
      { title: 'Onion bhaji', text: 'Crisp gram-flour fritters with tamarind chutney.', detail: '6' },
      { title: 'Chicken tikka', text: 'Marinated overnight and cooked in the tandoor.', detail: '13' },
      { title: 'Dal makhani', text: 'Black lentils slow-cooked with butter and cream.', detail: '11' },
      { title: 'Lamb rogan josh', text: 'A Kashmiri curry with Kashmiri chillies and fennel.', detail: '17' },
      { title: 'Garlic naan', text: 'Baked to order in the tandoor.', detail: '4' },
      { title: 'Gulab jamun', text: 'Warm milk dumplings in cardamom syrup.', detail: '6' },
    ],
    offers: [],
    highlights: [
      { title: 'Spices ground in house', text: 'Whole spices toasted and ground every day.' },
      { title: 'Clay tandoor', text: 'Breads and grills cooked over charcoal.' },
      { title: 'Vegetarian at heart', text: 'Half the menu is vegetarian, all of it is generous.' },
    ],
  },
  {
    kinds: ['restaurant'],
    words: ['cafe', 'café', 'coffee', 'bakery', 'brunch', 'panadería', 'boulangerie', 'bäckerei'],
    craft: 'baking and coffee',
    showcase: [
      { title: 'Sourdough toast', text: 'With cultured butter and seasonal jam.', detail: '6' },
      { title: 'Cardamom bun', text: 'Laminated dough, baked every morning.', detail: '4' },
      { title: 'Shakshuka', text: 'Eggs baked in spiced tomatoes, with flatbread.', detail: '12' },
      { title: 'Avocado on rye', text: 'With chilli, lime and pickled shallots.', detail: '10' },
      { title: 'Flat white', text: 'Espresso from a local roaster and steamed milk.', detail: '3.5' },
      { title: 'Seasonal fruit tart', text: 'Almond cream and whatever the orchard gives us.', detail: '5' },
    ],
    offers: [],
    highlights: [
      { title: 'Baked before sunrise', text: 'Bread and pastries made here every morning.' },
      { title: 'Local coffee', text: 'Beans roasted a few streets away.' },
      { title: 'Room to linger', text: 'Good chairs, free water and no rush.' },
    ],
  },
  {
    kinds: ['restaurant'],
    words: ['vegan', 'vegetarian', 'plant-based', 'vegano', 'végétalien'],
    craft: 'plant-based cooking',
    showcase: [
      { title: 'Charred leeks', text: 'With romesco and toasted hazelnuts.', detail: '9' },
      { title: 'Beetroot tartare', text: 'Capers, shallot and a smoked cashew cream.', detail: '10' },
      { title: 'Mushroom bourguignon', text: 'Slow-cooked in red wine with creamy mash.', detail: '16' },
      { title: 'Crispy tofu bao', text: 'Hoisin, cucumber and pickled chilli.', detail: '11' },
      { title: 'Seasonal grain bowl', text: 'Farro, roasted roots, greens and tahini.', detail: '13' },
      { title: 'Chocolate torte', text: 'Dark chocolate, olive oil and sea salt.', detail: '7' },
    ],
    offers: [],
    highlights: [
      { title: 'Entirely plant-based', text: 'No meat, dairy or eggs, and nothing missing.' },
      { title: 'Grown nearby', text: 'Vegetables from farms within fifty miles.' },
      { title: 'Zero-waste kitchen', text: 'Peelings become stocks, bread becomes crumbs.' },
    ],
  },
  {
    kinds: ['small-business'],
    words: ['plumber', 'plumbing', 'heating', 'boiler'],
    craft: 'plumbing and heating',
    showcase: [],
    offers: [
      {
        title: 'Emergency repairs',
        text: 'Leaks, bursts and blockages fixed fast, day or night.',
        detail: 'From 80',
      },
      {
        title: 'Boiler installation and servicing',
        text: 'Efficient boilers fitted and serviced by certified engineers.',
        detail: 'From 95',
      },
      {
        title: 'Bathrooms',
        text: 'Complete bathroom refits, from design to the last tile.',
        detail: 'Free quote',
      },
      {
        title: 'Landlord safety checks',
        text: 'Annual gas safety certificates, done on time.',
        detail: '70',
      },
    ],
    highlights: [
      { title: 'Fixed prices', text: 'A clear quote before we start, no surprises after.' },
      { title: 'Certified engineers', text: 'Fully qualified, insured and background-checked.' },
      { title: 'Tidy work', text: 'We protect your floors and clean up before we leave.' },
    ],
  },
  {
    kinds: ['small-business'],
    words: ['salon', 'hair', 'barber', 'beauty', 'spa', 'nails'],
    craft: 'hair and beauty',
    showcase: [],
    offers: [
      { title: 'Cut and finish', text: 'A consultation, wash, cut and blow-dry.', detail: 'From 45' },
      { title: 'Colour', text: 'From subtle glosses to full balayage.', detail: 'From 70' },
      { title: 'Treatments', text: 'Deep conditioning and scalp treatments.', detail: 'From 25' },
      { title: 'Occasion styling', text: 'Hair for weddings, proms and big nights out.', detail: 'From 60' },
    ],
    highlights: [
      { title: 'Experienced stylists', text: 'A team with years behind the chair.' },
      { title: 'Kind products', text: 'Vegan, cruelty-free colour and care.' },
      { title: 'Easy booking', text: 'Book online or call, evenings and weekends included.' },
    ],
  },
  {
    kinds: ['small-business'],
    words: ['gym', 'fitness', 'yoga', 'pilates', 'personal trainer', 'studio'],
    craft: 'fitness',
    showcase: [],
    offers: [
      { title: 'Classes', text: 'Strength, yoga and mobility classes every day.', detail: 'From 12' },
      { title: 'Personal training', text: 'One-to-one sessions built around your goals.', detail: 'From 50' },
      { title: 'Memberships', text: 'Unlimited classes and open gym access.', detail: '49 a month' },
    ],
    highlights: [
      { title: 'Small classes', text: 'Never more than twelve people, so coaches see everyone.' },
      { title: 'All levels welcome', text: 'Every exercise has an easier and a harder version.' },
      { title: 'Open early and late', text: 'From 6 am to 10 pm, seven days a week.' },
    ],
  },
  {
    kinds: ['small-business'],
    words: [
      'consultancy',
      'consulting',
      'accountant',
      'accounting',
      'bookkeeping',
      'lawyer',
      'legal',
      'agency',
      'marketing',
    ],
    craft: 'professional advice',
    showcase: [],
    offers: [
      {
        title: 'Strategy reviews',
        text: 'A clear look at where you are and where to go next.',
        detail: 'Fixed fee',
      },
      { title: 'Ongoing support', text: 'A monthly retainer with a named adviser.', detail: 'Monthly' },
      {
        title: 'Workshops',
        text: 'Half-day sessions that leave your team with a plan.',
        detail: 'By arrangement',
      },
      {
        title: 'Reporting',
        text: 'Accurate figures, delivered on time, explained in plain words.',
        detail: 'Monthly',
      },
    ],
    highlights: [
      { title: 'Plain English', text: 'Advice you can act on, without jargon.' },
      { title: 'Fixed fees', text: 'Agreed before we start.' },
      { title: 'Quick replies', text: 'An answer within one working day.' },
    ],
  },
];

const GENERIC: Record<SiteKind, Vocabulary> = {
  portfolio: {
    craft: 'creative work',
    showcase: [
      { title: 'First light', text: 'A series begun on a single early morning.' },
      { title: 'Quiet geometry', text: 'Lines, shapes and the spaces between them.' },
      { title: 'Field notes', text: 'Small studies collected over a year.' },
      { title: 'Open studio', text: 'Work made in public over one weekend.' },
      { title: 'Long exposure', text: 'Time, slowed down and made visible.' },
      { title: 'Second draft', text: 'What changed when an idea was revisited.' },
    ],
    offers: [
      { title: 'Commissions', text: 'New work made for you, from brief to delivery.', detail: 'On request' },
      { title: 'Collaborations', text: 'Projects with studios, brands and charities.', detail: 'By project' },
      { title: 'Workshops', text: 'Hands-on sessions for small groups.', detail: 'Seasonal' },
    ],
    highlights: [
      { title: 'Considered', text: 'Every piece starts with a question.' },
      { title: 'Crafted', text: 'Finished with care, down to the details.' },
      { title: 'Collaborative', text: 'Made with clients, not just for them.' },
    ],
  },
  blog: {
    craft: 'writing',
    showcase: [],
    offers: [],
    highlights: [
      { title: 'Honest notes', text: 'What worked, what did not, and why.' },
      { title: 'Practical guides', text: 'Step by step, with the mistakes left in.' },
      { title: 'A friendly community', text: 'Comments and letters from readers everywhere.' },
    ],
  },
  restaurant: {
    craft: 'seasonal cooking',
    showcase: [
      { title: 'Soup of the day', text: 'Made each morning from the market’s best vegetables.', detail: '7' },
      { title: 'Roast chicken', text: 'Free-range chicken, lemon, thyme and crisp potatoes.', detail: '18' },
      { title: 'Market fish', text: 'The day’s catch, simply grilled, with greens.', detail: '21' },
      { title: 'Seasonal risotto', text: 'Whatever is best this week, with aged cheese.', detail: '15' },
      { title: 'House salad', text: 'Leaves, herbs and a mustard dressing.', detail: '8' },
      { title: 'Chocolate pot', text: 'Dark chocolate, cream and a shortbread biscuit.', detail: '7' },
    ],
    offers: [],
    highlights: [
      { title: 'Seasonal menu', text: 'Our dishes change with what the farms bring us.' },
      { title: 'Made from scratch', text: 'Stocks, sauces and desserts made in house.' },
      { title: 'Warm welcome', text: 'Families, friends and solo diners all at home here.' },
    ],
  },
  'small-business': {
    craft: 'our services',
    showcase: [],
    offers: [
      { title: 'Consultation', text: 'A first conversation to understand what you need.', detail: 'Free' },
      {
        title: 'Standard service',
        text: 'Our core service, delivered carefully and on time.',
        detail: 'From 60',
      },
      {
        title: 'Premium service',
        text: 'Extra time, priority booking and a dedicated contact.',
        detail: 'From 120',
      },
      { title: 'Aftercare', text: 'Follow-up support after the job is done.', detail: 'Included' },
    ],
    highlights: [
      { title: 'Local and independent', text: 'Owned and run by people who live here.' },
      { title: 'Clear prices', text: 'Quotes in writing before any work starts.' },
      { title: 'Trusted by neighbours', text: 'Most of our work comes from recommendations.' },
    ],
  },
  event: {
    craft: 'the event',
    showcase: [],
    offers: [
      { title: 'Day pass', text: 'Entry to every session on one day.', detail: '45' },
      { title: 'Full pass', text: 'Every session, every day, plus the evening social.', detail: '95' },
      { title: 'Concession', text: 'For students, carers and those on a low income.', detail: '20' },
    ],
    highlights: [
      { title: 'Great people', text: 'Meet others who care about the same things.' },
      { title: 'Fresh ideas', text: 'Sessions that leave you with something to try.' },
      { title: 'Easy to reach', text: 'A venue close to public transport, with step-free access.' },
    ],
  },
  personal: {
    craft: 'projects',
    showcase: [
      { title: 'A year of sketches', text: 'One drawing a day for twelve months.' },
      { title: 'Community garden', text: 'Turning an empty lot into a place to grow food.' },
      { title: 'Reading list', text: 'The books that changed how I think, with notes.' },
      { title: 'Long walk', text: 'Two hundred miles on foot, written up day by day.' },
    ],
    offers: [],
    highlights: [
      { title: 'Curious', text: 'I like learning how things work.' },
      { title: 'Practical', text: 'I enjoy making ideas real.' },
      { title: 'Sociable', text: 'The best projects are the shared ones.' },
    ],
  },
};

/** The vocabulary of the field the request is about, falling back to the kind's general words. */
export function vocabularyFor(kind: SiteKind, request: string): Vocabulary {
  const lower = request.toLowerCase();
  const domain = DOMAINS.find(
    (candidate) => candidate.kinds.includes(kind) && candidate.words.some((word) => lower.includes(word)),
  );
  if (!domain) return GENERIC[kind];
  const generic = GENERIC[kind];
  return {
    craft: domain.craft,
    showcase: domain.showcase.length > 0 ? domain.showcase : generic.showcase,
    offers: domain.offers.length > 0 ? domain.offers : generic.offers,
    highlights: domain.highlights.length > 0 ? domain.highlights : generic.highlights,
  };
}

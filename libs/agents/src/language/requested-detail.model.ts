import { SectionKind } from '../site-spec.model';

/** The details a request can ask for ("with prices and opening hours"), each a page of the site. */
export const REQUESTED_DETAILS = [
  'about',
  'prices',
  'hours',
  'menu',
  'rsvp',
  'travel',
  'episodes',
  'listen',
  'cv',
  'locations',
  'gallery',
  'booking',
  'schedule',
  'team',
  'faq',
  'donate',
  'services',
  'blog',
  'projects',
  'contact',
] as const;
export type RequestedDetail = (typeof REQUESTED_DETAILS)[number];

/** The page slug and the section that hold each detail. */
export const DETAIL_SECTIONS: Record<RequestedDetail, { slug: string; section: SectionKind }> = {
  about: { slug: 'about', section: 'about' },
  prices: { slug: 'prices', section: 'pricing' },
  hours: { slug: 'hours', section: 'hours' },
  menu: { slug: 'menu', section: 'menu' },
  rsvp: { slug: 'rsvp', section: 'rsvp' },
  travel: { slug: 'travel', section: 'travel' },
  episodes: { slug: 'episodes', section: 'episodes' },
  listen: { slug: 'listen', section: 'listen' },
  cv: { slug: 'cv', section: 'cv' },
  locations: { slug: 'locations', section: 'locations' },
  gallery: { slug: 'gallery', section: 'gallery' },
  booking: { slug: 'booking', section: 'booking' },
  schedule: { slug: 'schedule', section: 'schedule' },
  team: { slug: 'team', section: 'people' },
  faq: { slug: 'faq', section: 'faq' },
  donate: { slug: 'donate', section: 'donate' },
  services: { slug: 'services', section: 'services' },
  blog: { slug: 'blog', section: 'posts' },
  projects: { slug: 'projects', section: 'gallery' },
  contact: { slug: 'contact', section: 'contact' },
};

import { SectionKind, SiteKind, SiteLanguage } from '../site-spec.model';

/** A request and what its site must show. */
export interface SiteRequestCase {
  request: string;
  kind: SiteKind;
  /** The site's `lang`; `other` for a language sites are not written in (English, with a warning). */
  lang: SiteLanguage | 'other';
  /** Words of the request the home page must show: subject, place, people, date. */
  names: string[];
  /** Sections the request asked for. */
  sections: SectionKind[];
}

/** Requests of every kind in every language, written for these tests, with what each asks. */
export const SITE_REQUESTS: SiteRequestCase[] = [
  {
    request: 'A bike repair shop in Porto with prices and opening hours',
    kind: 'trades',
    lang: 'en',
    names: ['bike repair shop', 'Porto'],
    sections: ['pricing', 'hours'],
  },
  {
    request: 'A wedding site for Ana and Luis on 12 September 2026 in Sintra with RSVP info and travel tips',
    kind: 'wedding',
    lang: 'en',
    names: ['Ana and Luis', 'wedding', 'Sintra', '12 September 2026'],
    sections: ['rsvp', 'travel'],
  },
  {
    request: 'A podcast about urban gardening with episodes and listening links',
    kind: 'podcast',
    lang: 'en',
    names: ['urban gardening'],
    sections: ['episodes', 'listen'],
  },
  {
    request: 'Homepage for a data scientist with my CV and projects',
    kind: 'personal',
    lang: 'en',
    names: ['data scientist'],
    sections: ['cv', 'gallery'],
  },
  {
    request: 'A food truck selling tacos, with our locations and menu',
    kind: 'restaurant',
    lang: 'en',
    names: ['food truck selling tacos'],
    sections: ['locations', 'menu'],
  },
  {
    request: 'Website for a yoga studio in Brighton with a class timetable and prices',
    kind: 'fitness',
    lang: 'en',
    names: ['yoga studio', 'Brighton'],
    sections: ['schedule', 'pricing'],
  },
  {
    request: 'A charity website for a food bank in Leeds with donations and contact details',
    kind: 'nonprofit',
    lang: 'en',
    names: ['food bank', 'Leeds'],
    sections: ['donate', 'contact'],
  },
  {
    request: 'Portfolio for a wildlife photographer with a gallery and a contact page',
    kind: 'portfolio',
    lang: 'en',
    names: ['wildlife photographer'],
    sections: ['gallery', 'contact'],
  },
  {
    request: 'A blog about sourdough baking with an about page',
    kind: 'blog',
    lang: 'en',
    names: ['sourdough baking'],
    sections: ['posts', 'about'],
  },
  {
    request: 'A plumber in Bristol with services, booking and a FAQ',
    kind: 'trades',
    lang: 'en',
    names: ['plumber', 'Bristol'],
    sections: ['services', 'booking', 'faq'],
  },
  {
    request: 'A 40th birthday party for Maria on 3 May with RSVP and a photo gallery',
    kind: 'wedding',
    lang: 'en',
    names: ['Maria', '40th birthday party', '3 May'],
    sections: ['rsvp', 'gallery'],
  },
  {
    request: 'Landing page for a jazz festival in Bristol with the schedule, tickets and questions',
    kind: 'event',
    lang: 'en',
    names: ['jazz festival', 'Bristol'],
    sections: ['schedule', 'booking', 'faq'],
  },
  {
    request: 'A florist in Bath with prices, a gallery and contact details',
    kind: 'small-business',
    lang: 'en',
    names: ['florist', 'Bath'],
    sections: ['pricing', 'gallery', 'contact'],
  },
  {
    request: "Something for my grandmother's knitting circle with photos",
    kind: 'general',
    lang: 'en',
    names: ["grandmother's knitting circle"],
    sections: ['gallery'],
  },
  {
    request: 'An electrician in Cork with opening hours and a contact form',
    kind: 'trades',
    lang: 'en',
    names: ['electrician', 'Cork'],
    sections: ['hours', 'contact'],
  },
  {
    request: 'A personal trainer in Austin with online booking and prices',
    kind: 'fitness',
    lang: 'en',
    names: ['personal trainer', 'Austin'],
    sections: ['booking', 'pricing'],
  },
  {
    request: 'Crea un sitio web para una panadería en Sevilla con precios y horario',
    kind: 'restaurant',
    lang: 'es',
    names: ['panadería', 'Sevilla'],
    sections: ['pricing', 'hours'],
  },
  {
    request:
      'Página web para la boda de Lucía y Pablo el 20 de junio de 2026 en Granada, con confirmación de asistencia y cómo llegar',
    kind: 'wedding',
    lang: 'es',
    names: ['boda de Lucía y Pablo', 'Granada', '20 de junio de 2026'],
    sections: ['rsvp', 'travel'],
  },
  {
    request: 'Un podcast sobre historia de España con episodios y dónde escuchar',
    kind: 'podcast',
    lang: 'es',
    names: ['historia de España'],
    sections: ['episodes', 'listen'],
  },
  {
    request: 'Web para un gimnasio en Valencia con clases y precios',
    kind: 'fitness',
    lang: 'es',
    names: ['gimnasio', 'Valencia'],
    sections: ['schedule', 'pricing'],
  },
  {
    request: 'Sitio web para una ONG de protección animal en Bilbao con donaciones y contacto',
    kind: 'nonprofit',
    lang: 'es',
    names: ['ONG de protección animal', 'Bilbao'],
    sections: ['donate', 'contact'],
  },
  {
    request: 'Quiero una web para mi taller de bicicletas en Madrid con precios y reservas',
    kind: 'trades',
    lang: 'es',
    names: ['taller de bicicletas', 'Madrid'],
    sections: ['pricing', 'booking'],
  },
  {
    request: 'A dental clinic in Madrid with opening hours and online booking',
    kind: 'fitness',
    lang: 'en',
    names: ['dental clinic', 'Madrid'],
    sections: ['hours', 'booking'],
  },
  {
    request: 'Erstelle eine Webseite für eine Zahnarztpraxis in Hamburg mit Terminen und Öffnungszeiten',
    kind: 'fitness',
    lang: 'de',
    names: ['Zahnarztpraxis', 'Hamburg'],
    sections: ['booking', 'hours'],
  },
  {
    request: 'Crée un site pour une boulangerie à Lyon avec les horaires et la carte',
    kind: 'restaurant',
    lang: 'fr',
    names: ['boulangerie', 'Lyon'],
    sections: ['hours', 'menu'],
  },
  {
    request: 'Un site pour notre mariage le 5 juillet 2026 à Annecy avec RSVP et hébergement',
    kind: 'wedding',
    lang: 'fr',
    names: ['mariage', 'Annecy', '5 juillet 2026'],
    sections: ['rsvp', 'travel'],
  },
  {
    request: 'Créer un site pour un plombier à Nantes avec les tarifs et un contact',
    kind: 'trades',
    lang: 'fr',
    names: ['plombier', 'Nantes'],
    sections: ['pricing', 'contact'],
  },
  {
    request: 'Erstelle eine Webseite für eine Fahrradwerkstatt in Berlin mit Preisen und Öffnungszeiten',
    kind: 'trades',
    lang: 'de',
    names: ['Fahrradwerkstatt', 'Berlin'],
    sections: ['pricing', 'hours'],
  },
  {
    request: 'Eine Webseite für unseren Podcast über Stadtgeschichte mit Folgen und Links zum Anhören',
    kind: 'podcast',
    lang: 'de',
    names: ['Stadtgeschichte'],
    sections: ['episodes', 'listen'],
  },
  {
    request: 'Webseite für einen gemeinnützigen Verein in München mit Spenden und Kontakt',
    kind: 'nonprofit',
    lang: 'de',
    names: ['Verein', 'München'],
    sections: ['donate', 'contact'],
  },
  {
    request: 'Cria um site para uma oficina de bicicletas no Porto com preços e horário',
    kind: 'trades',
    lang: 'pt',
    names: ['oficina de bicicletas', 'Porto'],
    sections: ['pricing', 'hours'],
  },
  {
    request:
      'Site para o nosso casamento a 12 de setembro de 2026 em Sintra, com confirmação de presença e como chegar',
    kind: 'wedding',
    lang: 'pt',
    names: ['casamento', 'Sintra', '12 de setembro de 2026'],
    sections: ['rsvp', 'travel'],
  },
  {
    request: 'Um site para uma food truck de comida mexicana com locais e menu',
    kind: 'restaurant',
    lang: 'pt',
    names: ['food truck de comida mexicana'],
    sections: ['locations', 'menu'],
  },
  {
    request: 'Crea un sito per una pizzeria a Napoli con menu e orari',
    kind: 'restaurant',
    lang: 'it',
    names: ['pizzeria', 'Napoli'],
    sections: ['menu', 'hours'],
  },
  {
    request:
      'Sito per il matrimonio di Giulia e Marco il 14 giugno 2026 a Firenze con conferma di partecipazione e come arrivare',
    kind: 'wedding',
    lang: 'it',
    names: ['matrimonio di Giulia e Marco', 'Firenze', '14 giugno 2026'],
    sections: ['rsvp', 'travel'],
  },
  {
    request: 'Crea un sito per una palestra a Torino con corsi e prezzi',
    kind: 'fitness',
    lang: 'it',
    names: ['palestra', 'Torino'],
    sections: ['schedule', 'pricing'],
  },
  {
    request: 'Maak een website voor mijn bakkerij in Utrecht met openingstijden',
    kind: 'general',
    lang: 'other',
    names: ['bakkerij'],
    sections: [],
  },
  {
    request: 'Сайт для кафе в Москве',
    kind: 'general',
    lang: 'other',
    names: ['кафе'],
    sections: [],
  },
];

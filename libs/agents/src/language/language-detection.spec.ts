import { detectLanguage } from './language-detection';

describe('detectLanguage', () => {
  it.each([
    ['A bike repair shop in Porto with prices and opening hours', 'en'],
    ['Website for a café in Paris', 'en'],
    ['Crea un sitio web para una panadería en Sevilla con precios y horario', 'es'],
    ['Quiero una web para mi taller de bicicletas', 'es'],
    ['Crée un site pour une boulangerie à Lyon avec les horaires', 'fr'],
    ['Erstelle eine Webseite für eine Bäckerei in Köln mit Öffnungszeiten', 'de'],
    ['Cria um site para uma oficina de bicicletas no Porto com preços', 'pt'],
    ['Crea un sito per una pizzeria a Napoli con menu e orari', 'it'],
    ['Maak een website voor mijn bakkerij in Utrecht', 'nl'],
    ['Сайт для кафе в Москве', 'ru'],
    ['カフェのウェブサイト', 'ja'],
    ['!!!', 'und'],
  ])('reads "%s" as %s', (request, language) => {
    expect(detectLanguage(request)).toBe(language);
  });
});

import { TextWords } from './text.format';

describe('TextWords', () => {
  const request = new TextWords(
    'Una web para la Panadería «El Trigo», en Sevilla: horario y precios (24/7)!',
  );

  it.each([
    ['panadería', true],
    ['PANADERÍA', true],
    ['el trigo', true],
    ['sevilla', true],
    ['horario y precios', true],
    ['24 7', true],
    ['pan', false],
    ['precio', false],
    ['trigo en', true],
    ['trigo sevilla', false],
    ['', false],
    ['  ', false],
  ])('finds %j as whole words: %s', (word, expected) => {
    expect(request.has(word)).toBe(expected);
  });

  it('reads words of any script', () => {
    expect(new TextWords('Сайт для пекарни в Москве').has('пекарни')).toBe(true);
    expect(new TextWords('Сайт для пекарни в Москве').has('пекар')).toBe(false);
  });
});

/** Lower-case words joined by hyphens, ASCII only, at most `maxLength` characters. */
export function slugify(text: string, maxLength = 40): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, maxLength).replace(/-+$/g, '');
}

const SMALL_WORDS = new Set([
  'a',
  'an',
  'and',
  'at',
  'by',
  'for',
  'in',
  'of',
  'on',
  'or',
  'the',
  'to',
  'with',
  // The same small words in the other site languages: "Oficina de Bicicletas", "Bar du Port".
  'de',
  'del',
  'des',
  'di',
  'do',
  'da',
  'du',
  'e',
  'et',
  'la',
  'le',
  'und',
  'y',
  'für',
  'mit',
  'über',
  'von',
]);

/** "wildlife photographer" → "Wildlife Photographer"; words already capitalised are kept. */
export function titleCase(text: string): string {
  return text
    .trim()
    .split(/\s+/)
    .map((word, index) =>
      index > 0 && SMALL_WORDS.has(word.toLowerCase())
        ? word.toLowerCase()
        : word.charAt(0).toUpperCase() + word.slice(1),
    )
    .join(' ');
}

/** Cuts at a word boundary and adds an ellipsis when the text is longer than `maxLength`. */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > maxLength / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s,.;:-]+$/, '')}…`;
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Escapes text for use inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A text's words in lower case, one space between them: what whole-word lookups compare. */
function normalizedWords(text: string): string {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .join(' ');
}

/**
 * The whole words of a text, in any script, for asking many times whether a word or phrase is
 * among them (the planner asks for hundreds of vocabulary words per request). Case and the
 * punctuation between words are ignored. (Not a regular expression per word: compiling a
 * Unicode, case-insensitive pattern per vocabulary word held the orchestrator's event loop for
 * seconds when requests arrived.)
 */
export class TextWords {
  private readonly words: string;

  constructor(text: string) {
    this.words = ` ${normalizedWords(text)} `;
  }

  has(wordOrPhrase: string): boolean {
    const wanted = normalizedWords(wordOrPhrase);
    return wanted !== '' && this.words.includes(` ${wanted} `);
  }
}

/** Whether two texts say the same words, ignoring case and punctuation ("Panadería." and "panadería"). */
export function saysTheSame(first: string, second: string): boolean {
  return normalizedWords(first) === normalizedWords(second);
}

/** The values a copy template can use; an empty or missing value drops its bracketed part. */
export interface TemplateSlots {
  name?: string;
  subject?: string;
  place?: string;
  date?: string;
}

/**
 * Fills a template of the language tables: `{name}`, `{subject}`, `{place}`, `{date}`,
 * `{Subject}` (capitalised) and `{a subject}` (with its English article). A part in square
 * brackets is kept only when every slot in it has a value, so optional words never dangle.
 */
export function fillTemplate(template: string, slots: TemplateSlots): string {
  const valueOf = (token: string): string => {
    switch (token) {
      case 'Subject':
        return capitalize(slots.subject ?? '');
      case 'a subject':
        return slots.subject ? withArticle(slots.subject) : '';
      case 'name':
      case 'subject':
      case 'place':
      case 'date':
        return slots[token]?.trim() ?? '';
      default:
        throw new Error(`unknown template slot {${token}}`);
    }
  };
  const withOptionalParts = template.replace(/\[([^\]]*)\]/g, (_, part: string) =>
    [...part.matchAll(/\{([^}]+)\}/g)].every((match) => valueOf(match[1]) !== '') ? part : '',
  );
  // Every template is a sentence or a heading, so it starts with a capital.
  return capitalize(
    withOptionalParts
      .replace(/\{([^}]+)\}/g, (_, token: string) => valueOf(token))
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// Spelling that sounds otherwise: "a university", "a one-off", "an hour", "an MBA".
const CONSONANT_SOUND = /^(?:uni|use|usu|eu|one|once|ubiq|ufo|uk\b)/i;
const VOWEL_SOUND = /^(?:hour|honest|honou?r|heir|[fhlmnrsx]\b|mba|mri)/i;

/** "a" or "an" before an English noun phrase, by how its first word sounds. */
export function withArticle(noun: string): string {
  return `${needsAn(noun) ? 'an' : 'a'} ${noun}`;
}

export function needsAn(word: string): boolean {
  if (CONSONANT_SOUND.test(word)) return false;
  if (VOWEL_SOUND.test(word)) return true;
  return /^[aeiou]/i.test(word);
}

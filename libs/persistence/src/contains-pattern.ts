/** An ILIKE pattern matching text that contains `text`: its `%`, `_` and `\` are literal characters. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

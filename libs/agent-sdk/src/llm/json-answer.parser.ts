/**
 * Reads the JSON object out of a model's answer. Models often wrap JSON in a Markdown fence or
 * a sentence despite being asked not to, so the outermost `{...}` is taken.
 */
export function parseJsonAnswer(text: string): { value: unknown } | { problem: string } {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return { problem: 'the answer holds no JSON object' };
  try {
    return { value: JSON.parse(text.slice(start, end + 1)) };
  } catch (error) {
    return { problem: `the answer is not valid JSON (${(error as Error).message})` };
  }
}

/**
 * A value made safe inside a Redis Cluster hash tag (`{...}`): a brace would end the tag early, so
 * two keys could share a slot by accident, or one key's parts split across two. Braces (and `%`,
 * the escape itself) are written `%7b`, `%7d`, `%25`.
 */
export function escapeHashTagPart(part: string): string {
  return part.replace(/[{}%]/g, (char) => `%${char.charCodeAt(0).toString(16)}`);
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `ao_<id>_<secret>`: the id finds the row (and is safe to show and log),
 * the secret is 256 random bits. Such a secret needs no slow hash: SHA-256 of it cannot be
 * reversed or brute-forced, and a lookup by id keeps verification to one comparison.
 */
const KEY_PATTERN = /^ao_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedApiKey {
  id: string;
  key: string;
  secretHash: string;
}

export function generateApiKey(): GeneratedApiKey {
  const id = randomBytes(8).toString('hex');
  const key = `ao_${id}_${randomBytes(32).toString('base64url')}`;
  return { id, key, secretHash: hashApiKey(key) };
}

/** The key's id, or null when the text cannot be one of our keys. */
export function apiKeyId(key: string): string | null {
  return KEY_PATTERN.exec(key)?.[1] ?? null;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Compares in constant time, so the answer's timing reveals nothing about the stored hash. */
export function matchesHash(key: string, secretHash: string): boolean {
  const expected = Buffer.from(secretHash, 'hex');
  const actual = Buffer.from(hashApiKey(key), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

import { apiKeyId, generateApiKey, hashApiKey, matchesHash } from './api-key.token';

describe('API key tokens', () => {
  it('generates ao_<id>_<secret> keys whose id can be read back and whose hash matches', () => {
    const { id, key, secretHash } = generateApiKey();
    expect(key).toMatch(/^ao_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(apiKeyId(key)).toBe(id);
    expect(secretHash).toBe(hashApiKey(key));
    expect(matchesHash(key, secretHash)).toBe(true);
  });

  it('never generates the same key twice', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey().key));
    expect(keys.size).toBe(1000);
  });

  it('rejects a key whose secret differs, even by one character', () => {
    const { key, secretHash } = generateApiKey();
    const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(apiKeyId(tampered)).toBe(apiKeyId(key));
    expect(matchesHash(tampered, secretHash)).toBe(false);
  });

  it.each(['', 'ao_', 'ao_xyz_abc', `ao_${'0'.repeat(16)}_short`, 'Bearer ao_0123456789abcdef_x'])(
    'reads no id from %p',
    (text) => {
      expect(apiKeyId(text)).toBeNull();
    },
  );

  it('treats a malformed stored hash as no match instead of throwing', () => {
    expect(matchesHash(generateApiKey().key, 'not-hex')).toBe(false);
  });
});

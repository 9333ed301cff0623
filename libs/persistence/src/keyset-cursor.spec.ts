import { InvalidCursorError, decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor';

describe('keyset cursors', () => {
  const position = { timestamp: '2026-11-24T23:59:59.123456Z', id: '0b6f1c1e-8d2e-4c1a-9a53-3f5b2f0d9a11' };

  it('decode what they encode, to the microsecond', () => {
    const cursor = encodeKeysetCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeKeysetCursor(cursor)).toEqual(position);
  });

  it.each([
    '',
    'abc',
    Buffer.from('2026-11-24|x').toString('base64url'),
    Buffer.from("' OR 1=1 --").toString('base64url'),
  ])('refuse %p', (cursor) => {
    expect(() => decodeKeysetCursor(cursor)).toThrow(InvalidCursorError);
  });
});

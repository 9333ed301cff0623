import { InvalidCursorError, decodeLogCursor, encodeLogCursor } from './log-cursor';

describe('log cursors', () => {
  const position = { timestamp: '2026-11-24T23:59:59.123456Z', id: '0b6f1c1e-8d2e-4c1a-9a53-3f5b2f0d9a11' };

  it('decode what they encode, to the microsecond', () => {
    const cursor = encodeLogCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeLogCursor(cursor)).toEqual(position);
  });

  it.each([
    '',
    'abc',
    Buffer.from('2026-11-24|x').toString('base64url'),
    Buffer.from("' OR 1=1 --").toString('base64url'),
  ])('refuse %p', (cursor) => {
    expect(() => decodeLogCursor(cursor)).toThrow(InvalidCursorError);
  });
});

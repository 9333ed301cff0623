import { insertIsolatingBadRows, isRowError } from './batch-insert';

const rowError = (message: string) => Object.assign(new Error(message), { code: '22P05' });

describe('insertIsolatingBadRows', () => {
  it('writes every good row and rejects exactly the rows the database refuses', async () => {
    const stored: number[] = [];
    const statements: number[][] = [];
    const insert = async (items: number[]) => {
      statements.push(items);
      if (items.some((item) => item % 10 === 7)) throw rowError('unsupported Unicode escape sequence');
      stored.push(...items);
      return items.map(String);
    };
    const items = Array.from({ length: 40 }, (_, index) => index);
    const result = await insertIsolatingBadRows(items, insert);
    expect(result.rejected.map((rejected) => rejected.item)).toEqual([7, 17, 27, 37]);
    expect(result.rejected[0].reason).toBe('unsupported Unicode escape sequence');
    expect(result.written).toHaveLength(36);
    expect(stored.sort((a, b) => a - b)).toEqual(items.filter((item) => item % 10 !== 7));
    expect(statements.length).toBeLessThan(40);
  });

  it('throws a connection error at once, so the queue job is retried whole', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const insert = jest.fn().mockRejectedValue(refused);
    await expect(insertIsolatingBadRows([1, 2, 3], insert)).rejects.toBe(refused);
    expect(insert).toHaveBeenCalledTimes(1);
  });

  it.each([
    [{ code: '22021' }, true],
    [{ code: '23502' }, true],
    [{ driverError: { code: '54000' } }, true],
    [{ code: '57P01' }, false],
    [{ code: '08006' }, false],
    [{ code: 'ECONNRESET' }, false],
    [new Error('timeout'), false],
    [null, false],
  ])('isRowError(%p) is %p', (error, expected) => {
    expect(isRowError(error)).toBe(expected);
  });
});

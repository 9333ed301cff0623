/**
 * SQLSTATE classes of a row the database refuses for what it holds (22 data exception, 23
 * integrity violation, 54 program limit exceeded): rejecting that row is right. Anything else
 * (connection refused, shutdown, timeout) says the database is away: the batch must wait.
 */
const ROW_ERROR_CLASSES = new Set(['22', '23', '54']);

export function isRowError(error: unknown): boolean {
  const holder = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = holder?.code ?? holder?.driverError?.code;
  return typeof code === 'string' && code.length === 5 && ROW_ERROR_CLASSES.has(code.slice(0, 2));
}

export interface RejectedRow<T> {
  item: T;
  reason: string;
}

/**
 * Inserts `items` with `insert` (one multi-row statement). When the database refuses a row that
 * passed validation, the batch is halved until the refused rows stand alone: they are returned
 * as rejected and every other row is written, in O(bad rows × log n) statements. Any other error
 * is thrown, so the queue job fails and is retried whole later; `insert` skips rows already written
 * and returns the ids of those it wrote.
 */
export async function insertIsolatingBadRows<T>(
  items: T[],
  insert: (items: T[]) => Promise<string[]>,
): Promise<{ written: string[]; rejected: RejectedRow<T>[] }> {
  if (items.length === 0) return { written: [], rejected: [] };
  try {
    return { written: await insert(items), rejected: [] };
  } catch (error) {
    if (!isRowError(error)) throw error;
    if (items.length === 1) {
      return { written: [], rejected: [{ item: items[0], reason: (error as Error).message }] };
    }
    const middle = Math.ceil(items.length / 2);
    const first = await insertIsolatingBadRows(items.slice(0, middle), insert);
    const second = await insertIsolatingBadRows(items.slice(middle), insert);
    return {
      written: [...first.written, ...second.written],
      rejected: [...first.rejected, ...second.rejected],
    };
  }
}

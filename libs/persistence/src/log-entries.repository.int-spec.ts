import { randomUUID } from 'node:crypto';
import { LogEntry, LogLevel, LogOrder } from '@app/contracts';
import { DataSource } from 'typeorm';
import { TEST_DATABASE_URL, TestNamespace } from '../../../test/support/test-environment';
import { dataSourceOptions } from './data-source-options';
import { LogEntriesRepository, LogSearch } from './log-entries.repository';
import { InvalidCursorError } from './keyset-cursor';

const LEVELS = Object.values(LogLevel);
const AGENTS = ['planner', 'content', 'design', null];
const BASE = Date.parse('2026-11-24T00:00:00.000Z');

/** A deterministic spread of entries: several workflows, agents, levels, one per second. */
function entries(count: number, options: { startMs?: number; workflowIds?: string[] } = {}): LogEntry[] {
  const workflowIds = options.workflowIds ?? [randomUUID(), randomUUID(), randomUUID()];
  return Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    // Some entries share a timestamp, so the id must break ties.
    timestamp: new Date((options.startMs ?? BASE) + Math.floor(index / 2) * 1000).toISOString(),
    level: LEVELS[index % LEVELS.length],
    workflowId: index % 7 === 0 ? null : workflowIds[index % workflowIds.length],
    agent: AGENTS[index % AGENTS.length],
    message: index % 50 === 0 ? `Disk 100%_full on node ${index}` : `step ${index} finished`,
    metadata: { index },
  }));
}

const byPosition = (a: LogEntry, b: LogEntry) =>
  a.timestamp === b.timestamp ? (a.id < b.id ? -1 : 1) : a.timestamp < b.timestamp ? -1 : 1;

describe('LogEntriesRepository (real PostgreSQL)', () => {
  const namespace = new TestNamespace();
  let dataSource: DataSource;
  let repository: LogEntriesRepository;

  beforeAll(async () => {
    await namespace.prepare();
    dataSource = await new DataSource(
      dataSourceOptions({ url: TEST_DATABASE_URL, schema: namespace.schema, applicationName: 'log-spec' }),
    ).initialize();
    repository = new LogEntriesRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await namespace.dispose();
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE log_entries, log_level_counts');
  });

  /** Every page of a search, following the cursors. */
  async function walk(
    query: Omit<LogSearch, 'cursor'>,
    between?: () => Promise<void>,
  ): Promise<LogEntry[][]> {
    const pages: LogEntry[][] = [];
    let cursor: string | undefined;
    do {
      const page = await repository.search({ ...query, cursor });
      pages.push(page.items);
      cursor = page.nextCursor ?? undefined;
      await between?.();
    } while (cursor);
    return pages;
  }

  it('writes a batch of 10,000 entries in bulk, once, and tallies them by level', async () => {
    const batch = entries(10_000);
    expect((await repository.insertMany(batch)).sort()).toEqual(batch.map((entry) => entry.id).sort());
    expect(await repository.insertMany(batch.slice(0, 6000))).toEqual([]);
    const [{ count }] = await namespace.query<{ count: string }>('SELECT count(*) FROM log_entries');
    expect(Number(count)).toBe(10_000);
    expect(await repository.writtenByLevel()).toEqual({
      debug: 2500,
      info: 2500,
      warning: 2500,
      error: 2500,
    });
    const stored = await namespace.query<{ metadata: unknown; message: string }>(
      'SELECT metadata, message FROM log_entries WHERE id = $1',
      [batch[4321].id],
    );
    expect(stored).toEqual([{ metadata: { index: 4321 }, message: 'step 4321 finished' }]);
  });

  it('writes one entry, and not again', async () => {
    const [entry] = entries(1);
    expect(await repository.insertOne(entry)).toBe(1);
    expect(await repository.insertOne(entry)).toBe(0);
    expect((await repository.writtenByLevel()).debug).toBe(1);
  });

  describe('filters', () => {
    const workflowIds = [randomUUID(), randomUUID()];
    const all = entries(400, { workflowIds });
    const sorted = [...all].sort(byPosition);
    const search = async (filters: Partial<LogSearch>) => {
      const page = await repository.search({ order: LogOrder.Oldest, limit: 1000, ...filters });
      return { ids: page.items.map((item) => item.id), total: page.total };
    };
    const expectIds = (predicate: (entry: LogEntry) => boolean) =>
      sorted.filter(predicate).map((entry) => entry.id);

    beforeEach(async () => {
      await repository.insertMany(all);
    });

    it.each<[string, Partial<LogSearch>, (entry: LogEntry) => boolean]>([
      ['workflow', { workflowId: workflowIds[1] }, (entry) => entry.workflowId === workflowIds[1]],
      ['agent', { agent: 'design' }, (entry) => entry.agent === 'design'],
      ['level', { level: LogLevel.Warning }, (entry) => entry.level === LogLevel.Warning],
      [
        'time range, from inclusive and to exclusive',
        { from: new Date(BASE + 10_000).toISOString(), to: new Date(BASE + 20_000).toISOString() },
        (entry) =>
          Date.parse(entry.timestamp) >= BASE + 10_000 && Date.parse(entry.timestamp) < BASE + 20_000,
      ],
      ['text, ignoring case', { search: 'DISK' }, (entry) => entry.message.startsWith('Disk')],
      [
        'text with % and _ taken literally',
        { search: '100%_f' },
        (entry) => entry.message.includes('100%_f'),
      ],
      ['text matching nothing', { search: '100%x' }, () => false],
      [
        'everything at once',
        {
          workflowId: workflowIds[0],
          agent: 'planner',
          level: LogLevel.Debug,
          from: new Date(BASE + 50_000).toISOString(),
        },
        (entry) =>
          entry.workflowId === workflowIds[0] &&
          entry.agent === 'planner' &&
          entry.level === LogLevel.Debug &&
          Date.parse(entry.timestamp) >= BASE + 50_000,
      ],
    ])('by %s', async (_name, filters, predicate) => {
      const expected = expectIds(predicate);
      const found = await search(filters);
      expect(found.ids).toEqual(expected);
      expect(found.total).toBe(expected.length);
    });

    it('has a trigram index the planner uses for text search', async () => {
      const plan = await dataSource.transaction(async (manager) => {
        await manager.query('SET LOCAL enable_seqscan = off');
        return (await manager.query(
          `EXPLAIN SELECT id FROM log_entries WHERE message ILIKE '%disk 100%'`,
        )) as {
          'QUERY PLAN': string;
        }[];
      });
      expect(plan.map((line) => line['QUERY PLAN']).join('\n')).toContain('log_entries_message_trgm');
    });
  });

  describe('cursor pages', () => {
    it.each([LogOrder.Oldest, LogOrder.Newest])(
      'walk every entry once, %s first, ties broken by id',
      async (order) => {
        const all = entries(250);
        await repository.insertMany(all);
        const pages = await walk({ order, limit: 40 });
        expect(pages.map((page) => page.length)).toEqual([40, 40, 40, 40, 40, 40, 10]);
        const expected = [...all].sort(byPosition);
        if (order === LogOrder.Newest) expected.reverse();
        expect(pages.flat().map((entry) => entry.id)).toEqual(expected.map((entry) => entry.id));
      },
    );

    it.each([LogOrder.Oldest, LogOrder.Newest])(
      'stay stable while entries are written between pages (%s first): nothing seen twice, nothing present skipped',
      async (order) => {
        const workflowId = randomUUID();
        const initial = entries(300, { workflowIds: [workflowId] }).map((entry) => ({
          ...entry,
          workflowId,
        }));
        await repository.insertMany(initial);
        // Concurrent writers add entries before, inside and after the range being read.
        let round = 0;
        const writeMore = async () => {
          round += 1;
          const more = entries(30, {
            workflowIds: [workflowId],
            startMs: BASE + (round % 3) * 70_000 - 60_000,
          });
          await repository.insertMany(more.map((entry) => ({ ...entry, workflowId })));
        };
        const seen = (await walk({ workflowId, order, limit: 25 }, writeMore)).flat();
        const ids = seen.map((entry) => entry.id);
        expect(new Set(ids).size).toBe(ids.length);
        const seenIds = new Set(ids);
        expect(initial.filter((entry) => !seenIds.has(entry.id))).toEqual([]);
        const positions = seen.map((entry) => `${entry.timestamp}|${entry.id}`);
        const ordered = [...positions].sort();
        expect(positions).toEqual(order === LogOrder.Oldest ? ordered : ordered.reverse());
      },
    );

    it('refuses a cursor no page returned', async () => {
      await expect(
        repository.search({ order: LogOrder.Oldest, limit: 10, cursor: 'bm90LWEtY3Vyc29y' }),
      ).rejects.toThrow(InvalidCursorError);
    });
  });

  it('deletes exactly the entries older than the cut-off, and keeps the level tally', async () => {
    const all = entries(3000);
    await repository.insertMany(all);
    const cutoff = new Date(BASE + 600_000);
    const removed = await repository.deleteOlderThan(cutoff);
    const older = all.filter((entry) => Date.parse(entry.timestamp) < cutoff.getTime());
    expect(removed).toBe(older.length);
    const left = await namespace.query<{ id: string }>('SELECT id FROM log_entries ORDER BY id');
    expect(left.map((row) => row.id)).toEqual(
      all
        .filter((entry) => Date.parse(entry.timestamp) >= cutoff.getTime())
        .map((entry) => entry.id)
        .sort(),
    );
    expect(await repository.writtenByLevel()).toEqual({ debug: 750, info: 750, warning: 750, error: 750 });
  });
});

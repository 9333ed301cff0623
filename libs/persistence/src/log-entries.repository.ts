import { LogEntry, LogLevel, LogOrder, LogPage } from '@app/contracts';
import { DataSource } from 'typeorm';
import { containsPattern } from './contains-pattern';
import { decodeKeysetCursor, encodeKeysetCursor, keysetTimestampSql } from './keyset-cursor';

const ROWS_PER_INSERT = 5000;
const ROWS_PER_DELETE = 10_000;

/** Filters and page of a log search. `from` is inclusive, `to` exclusive. */
export interface LogSearch {
  workflowId?: string;
  agent?: string;
  level?: LogLevel;
  from?: string;
  to?: string;
  /** Text the message contains, ignoring case. */
  search?: string;
  order: LogOrder;
  /** The `nextCursor` of the previous page; throws InvalidCursorError when it is not one. */
  cursor?: string;
  limit: number;
}

interface LogRow {
  id: string;
  timestamp: Date;
  level: LogLevel;
  workflow_id: string | null;
  agent: string | null;
  message: string;
  metadata: Record<string, unknown>;
  position: string;
}

/**
 * Reads and writes log rows. Writes are multi-row inserts, idempotent on the entry id, that raise
 * the per-level tally in the same statement.
 */
export class LogEntriesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Writes one entry (no-op when its id is already stored); returns rows written. */
  async insertOne(entry: LogEntry): Promise<number> {
    return (await this.insertMany([entry])).length;
  }

  /**
   * Inserts the entries in statements of at most {@link ROWS_PER_INSERT} rows, passed as one array
   * per column (`unnest`), so the statement has seven parameters whatever the batch size. Entries
   * already written are skipped and not counted again. Returns the ids it wrote.
   */
  async insertMany(entries: LogEntry[]): Promise<string[]> {
    const written: string[] = [];
    for (let start = 0; start < entries.length; start += ROWS_PER_INSERT) {
      written.push(...(await this.insertChunk(entries.slice(start, start + ROWS_PER_INSERT))));
    }
    return written;
  }

  private async insertChunk(entries: LogEntry[]): Promise<string[]> {
    if (entries.length === 0) return [];
    // The tally rows are upserted in level order, so concurrent batches lock them in one order.
    const [{ written }] = (await this.dataSource.query(
      `WITH inserted AS (
         INSERT INTO log_entries (id, "timestamp", level, workflow_id, agent, message, metadata)
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::varchar[], $4::uuid[], $5::varchar[],
                              $6::text[], $7::jsonb[])
         ON CONFLICT (id) DO NOTHING
         RETURNING id, level
       ), tallied AS (
         INSERT INTO log_level_counts (level, count)
         SELECT level, count(*) FROM inserted GROUP BY level ORDER BY level
         ON CONFLICT (level) DO UPDATE SET count = log_level_counts.count + EXCLUDED.count
         RETURNING level
       )
       SELECT (SELECT coalesce(array_agg(id::text), '{}') FROM inserted) AS written,
              (SELECT count(*) FROM tallied) AS levels`,
      [
        entries.map((entry) => entry.id),
        entries.map((entry) => entry.timestamp),
        entries.map((entry) => entry.level),
        entries.map((entry) => entry.workflowId),
        entries.map((entry) => entry.agent),
        entries.map((entry) => entry.message),
        entries.map((entry) => JSON.stringify(entry.metadata)),
      ],
    )) as { written: string[] }[];
    return written;
  }

  /**
   * One page of entries matching the filters, in (timestamp, id) order, with the number of
   * matches. Pages are keyset pages: an entry written meanwhile never shifts the next page.
   */
  async search(query: LogSearch): Promise<LogPage> {
    const params: unknown[] = [];
    const conditions: string[] = [];
    const where = (sql: (placeholder: string) => string, value: unknown) => {
      params.push(value);
      conditions.push(sql(`$${params.length}`));
    };
    if (query.workflowId !== undefined) where((p) => `workflow_id = ${p}`, query.workflowId);
    if (query.agent !== undefined) where((p) => `agent = ${p}`, query.agent);
    if (query.level !== undefined) where((p) => `level = ${p}`, query.level);
    if (query.from !== undefined) where((p) => `"timestamp" >= ${p}::timestamptz`, query.from);
    if (query.to !== undefined) where((p) => `"timestamp" < ${p}::timestamptz`, query.to);
    if (query.search) where((p) => `message ILIKE ${p}`, containsPattern(query.search));
    const filters = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const filterParams = [...params];

    const isNewestFirst = query.order === LogOrder.Newest;
    if (query.cursor !== undefined) {
      const position = decodeKeysetCursor(query.cursor);
      params.push(position.timestamp, position.id);
      conditions.push(
        `("timestamp", id) ${isNewestFirst ? '<' : '>'} ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(query.limit + 1);
    const direction = isNewestFirst ? 'DESC' : 'ASC';
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT id, "timestamp", level, workflow_id, agent, message, metadata,
                ${keysetTimestampSql('"timestamp"')} AS position
         FROM log_entries
         ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
         ORDER BY "timestamp" ${direction}, id ${direction}
         LIMIT $${params.length}`,
        params,
      ) as Promise<LogRow[]>,
      this.dataSource.query(
        `SELECT count(*)::int AS total FROM log_entries ${filters}`,
        filterParams,
      ) as Promise<{ total: number }[]>,
    ]);
    const hasMore = rows.length > query.limit;
    const page = hasMore ? rows.slice(0, query.limit) : rows;
    const last = page.at(-1);
    return {
      items: page.map((row) => ({
        id: row.id,
        timestamp: row.timestamp.toISOString(),
        level: row.level,
        workflowId: row.workflow_id,
        agent: row.agent,
        message: row.message,
        metadata: row.metadata,
      })),
      total,
      nextCursor: hasMore && last ? encodeKeysetCursor({ timestamp: last.position, id: last.id }) : null,
    };
  }

  /**
   * Deletes entries older than `cutoff` in slices of {@link ROWS_PER_DELETE}, so no statement
   * holds millions of row locks; returns how many it removed. The per-level tally is kept.
   */
  async deleteOlderThan(cutoff: Date): Promise<number> {
    let removed = 0;
    for (;;) {
      const [{ count }] = (await this.dataSource.query(
        `WITH doomed AS (SELECT id FROM log_entries WHERE "timestamp" < $1 LIMIT $2),
              deleted AS (DELETE FROM log_entries USING doomed WHERE log_entries.id = doomed.id RETURNING 1)
         SELECT count(*)::int AS count FROM deleted`,
        [cutoff, ROWS_PER_DELETE],
      )) as { count: number }[];
      removed += count;
      if (count < ROWS_PER_DELETE) return removed;
    }
  }

  /** Entries ever written, by level (retention does not lower it). */
  async writtenByLevel(): Promise<Record<LogLevel, number>> {
    const rows = (await this.dataSource.query(`SELECT level, count FROM log_level_counts`)) as {
      level: LogLevel;
      count: string;
    }[];
    const counts = Object.fromEntries(Object.values(LogLevel).map((level) => [level, 0])) as Record<
      LogLevel,
      number
    >;
    for (const row of rows) counts[row.level] = Number(row.count);
    return counts;
  }
}

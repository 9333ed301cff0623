import { LogEntry, LogLevel } from '@app/contracts';
import { DataSource } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { LogEntryEntity } from './log-entry.entity';

const ROWS_PER_INSERT = 5000;

export interface LogQuery {
  workflowId?: string;
  level?: LogLevel;
  offset: number;
  limit: number;
}

/** Reads and writes log rows. Writes are multi-row inserts, idempotent on the entry id. */
export class LogEntriesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts the entries in multi-row statements of at most {@link ROWS_PER_INSERT} (PostgreSQL
   * takes 65,535 parameters a statement); entries already written are skipped. Returns rows written.
   */
  async insertMany(entries: LogEntry[]): Promise<number> {
    let written = 0;
    for (let start = 0; start < entries.length; start += ROWS_PER_INSERT) {
      written += await this.insertChunk(entries.slice(start, start + ROWS_PER_INSERT));
    }
    return written;
  }

  private async insertChunk(entries: LogEntry[]): Promise<number> {
    const result = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(LogEntryEntity)
      .values(
        entries.map((entry): QueryDeepPartialEntity<LogEntryEntity> => ({
          id: entry.id,
          timestamp: new Date(entry.timestamp),
          level: entry.level,
          workflowId: entry.workflowId,
          agent: entry.agent,
          message: entry.message,
          metadata: entry.metadata as QueryDeepPartialEntity<Record<string, unknown>>,
        })),
      )
      .orIgnore()
      .returning(['id'])
      .execute();
    return (result.raw as unknown[]).length;
  }

  /** Oldest first, ties broken by id so pages are stable. */
  async find(query: LogQuery): Promise<{ items: LogEntry[]; total: number }> {
    const builder = this.dataSource.getRepository(LogEntryEntity).createQueryBuilder('log');
    if (query.workflowId) builder.andWhere('log.workflowId = :workflowId', { workflowId: query.workflowId });
    if (query.level) builder.andWhere('log.level = :level', { level: query.level });
    const [rows, total] = await builder
      .orderBy('log.timestamp', 'ASC')
      .addOrderBy('log.id', 'ASC')
      .skip(query.offset)
      .take(query.limit)
      .getManyAndCount();
    return {
      total,
      items: rows.map((row) => ({
        id: row.id,
        timestamp: row.timestamp.toISOString(),
        level: row.level,
        workflowId: row.workflowId,
        agent: row.agent,
        message: row.message,
        metadata: row.metadata,
      })),
    };
  }
}

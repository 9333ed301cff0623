import { Injectable, Logger } from '@nestjs/common';
import { LogEntry } from '@app/contracts';
import { LogEntriesRepository } from '@app/persistence';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { insertIsolatingBadRows } from '../batch-insert';
import { logEntryProblem } from './log-entry.validation';

export const LOG_ENTRIES_REJECTED_METRIC = 'log_entries_rejected_total';
export const LOG_ENTRIES_WRITTEN_METRIC = 'log_entries_total';

/** Stores log batches: malformed entries are set aside alone, the rest written in bulk. */
@Injectable()
export class LogsService {
  private readonly logger = new Logger(LogsService.name);

  constructor(
    private readonly repository: LogEntriesRepository,
    @InjectMetric(LOG_ENTRIES_REJECTED_METRIC) private readonly rejected: Counter<string>,
    @InjectMetric(LOG_ENTRIES_WRITTEN_METRIC) private readonly written: Counter<string>,
  ) {}

  /** Stores one entry; see {@link saveBatch}. */
  saveOne(entry: unknown): Promise<{ written: number; rejected: number }> {
    return this.saveBatch([entry]);
  }

  /**
   * Writes a batch. A database outage propagates, so the queue job is retried later with the
   * whole batch; entries already written are skipped by their id, so none is written twice.
   * An entry that fails validation, or that the database refuses, is rejected alone.
   */
  async saveBatch(entries: unknown[]): Promise<{ written: number; rejected: number }> {
    const valid: LogEntry[] = [];
    for (const entry of entries) {
      const problem = logEntryProblem(entry);
      if (problem === null) valid.push(entry as LogEntry);
      else this.reject(entry, problem);
    }
    const result = await insertIsolatingBadRows(valid, (rows) => this.repository.insertMany(rows));
    for (const { item, reason } of result.rejected) this.reject(item, `refused by PostgreSQL: ${reason}`);
    // Counted by the replica that wrote them, and only then: an entry delivered twice counts once.
    const written = new Set(result.written);
    for (const entry of valid) if (written.has(entry.id)) this.written.inc({ level: entry.level });
    return {
      written: result.written.length,
      rejected: entries.length - valid.length + result.rejected.length,
    };
  }

  private reject(entry: unknown, problem: string): void {
    this.rejected.inc();
    this.logger.warn(`rejected a malformed log entry (${problem}): ${JSON.stringify(entry)?.slice(0, 500)}`);
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { LogEntry } from '@app/contracts';
import { LogEntriesRepository } from '@app/persistence';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { logEntryProblem } from './log-entry.validation';

export const LOG_ENTRIES_METRIC = 'log_entries_total';
export const LOG_ENTRIES_REJECTED_METRIC = 'log_entries_rejected_total';

/** Stores log batches: malformed entries are set aside alone, the rest written in bulk. */
@Injectable()
export class LogsService {
  private readonly logger = new Logger(LogsService.name);

  constructor(
    private readonly repository: LogEntriesRepository,
    @InjectMetric(LOG_ENTRIES_METRIC) private readonly written: Counter<string>,
    @InjectMetric(LOG_ENTRIES_REJECTED_METRIC) private readonly rejected: Counter<string>,
  ) {}

  /**
   * Writes a batch. A database error propagates, so the queue job is retried later with the
   * whole batch; entries already written are skipped by their id, so none is written twice.
   */
  async saveBatch(entries: unknown[]): Promise<{ written: number; rejected: number }> {
    const valid: LogEntry[] = [];
    for (const entry of entries) {
      const problem = logEntryProblem(entry);
      if (problem === null) valid.push(entry as LogEntry);
      else {
        this.rejected.inc();
        this.logger.warn(
          `rejected a malformed log entry (${problem}): ${JSON.stringify(entry)?.slice(0, 500)}`,
        );
      }
    }
    const written = await this.repository.insertMany(valid);
    for (const entry of valid) this.written.inc({ level: entry.level });
    return { written, rejected: entries.length - valid.length };
  }
}

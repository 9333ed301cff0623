import { Injectable, Logger } from '@nestjs/common';
import { MetricsConfig } from '@app/config';
import { MaintenanceJobName, MaintenanceReport } from '@app/contracts';
import { LogEntriesRepository } from '@app/persistence';

const DAY_MS = 24 * 60 * 60 * 1000;

/** CleanupLogs: removes log entries older than `LOG_RETENTION_DAYS`. */
@Injectable()
export class LogRetentionService {
  private readonly logger = new Logger(LogRetentionService.name);

  constructor(
    private readonly logs: LogEntriesRepository,
    private readonly config: MetricsConfig,
  ) {}

  async run(now = new Date()): Promise<MaintenanceReport> {
    const cutoff = new Date(now.getTime() - this.config.LOG_RETENTION_DAYS * DAY_MS);
    const removed = await this.logs.deleteOlderThan(cutoff);
    this.logger.log(`removed ${removed} log entries older than ${cutoff.toISOString()}`);
    return { job: MaintenanceJobName.CleanupLogs, cutoff: cutoff.toISOString(), removed };
  }
}

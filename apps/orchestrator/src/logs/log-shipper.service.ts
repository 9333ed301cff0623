import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { LogEntry, METRICS_LOGS_QUEUE, MetricsLogJobName, PersistLogsJob } from '@app/contracts';
import { Queue } from 'bullmq';

const MAX_BATCH = 500;
const LINGER_MS = 50;

/**
 * Sends log entries to the metrics service in batches over the `metrics.logs` queue: one job per
 * batch of up to 500 entries or 50 ms, whichever comes first. Once a batch is in the queue it
 * survives any crash; a failed send is kept and tried again.
 */
@Injectable()
export class LogShipper implements OnApplicationShutdown {
  private readonly logger = new Logger(LogShipper.name);
  private buffer: LogEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();

  constructor(@InjectQueue(METRICS_LOGS_QUEUE) private readonly queue: Queue<PersistLogsJob>) {}

  ship(entry: LogEntry): void {
    this.buffer.push(entry);
    if (this.buffer.length >= MAX_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), LINGER_MS);
  }

  /** Sends what is buffered; resolves when it is in the queue. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffer.length === 0) return this.sending;
    const entries = this.buffer;
    this.buffer = [];
    this.sending = this.sending.then(() => this.send(entries));
    return this.sending;
  }

  private async send(entries: LogEntry[]): Promise<void> {
    try {
      await this.queue.add(MetricsLogJobName.PersistLogs, { entries }, { removeOnComplete: true, removeOnFail: 1000, attempts: 10, backoff: { type: 'exponential', delay: 1000 } });
    } catch (error) {
      this.logger.error(`could not queue ${entries.length} log entries, keeping them: ${String(error)}`);
      this.buffer = entries.concat(this.buffer);
      this.timer ??= setTimeout(() => void this.flush(), 1000);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}

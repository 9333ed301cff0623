import { WorkerLogger } from './worker-logger';

const MAX_BATCH = 500;
const LINGER_MS = 50;

/**
 * Collects items and hands them to `send` in batches of up to 500, or after 50 ms, whichever
 * comes first. A batch whose send fails is kept and tried again a second later.
 */
export class BatchSender<T> {
  private buffer: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly what: string,
    private readonly send: (items: T[]) => Promise<unknown>,
    private readonly logger: WorkerLogger,
  ) {}

  push(item: T): void {
    this.buffer.push(item);
    if (this.buffer.length >= MAX_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), LINGER_MS);
  }

  /** Sends what is buffered; resolves once it (and every earlier batch) was handed over. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffer.length === 0) return this.sending;
    const items = this.buffer;
    this.buffer = [];
    this.sending = this.sending.then(() => this.sendOrKeep(items));
    return this.sending;
  }

  private async sendOrKeep(items: T[]): Promise<void> {
    try {
      await this.send(items);
    } catch (error) {
      this.logger.error(
        `could not queue ${items.length} ${this.what}, keeping them for a retry: ${String(error)}`,
      );
      this.buffer = items.concat(this.buffer);
      this.timer ??= setTimeout(() => void this.flush(), 1000);
    }
  }
}

const SCRAPE_TIMEOUT_MS = 10_000;
const LAG_P99 = /^nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})?\s+(\S+)$/m;

/**
 * Scrapes an app's `GET /metrics` on a timer for prom-client's `nodejs_eventloop_lag_p99_seconds`.
 * prom-client resets its event-loop delay histogram on every scrape, so each value is the p99 of
 * the interval since the previous scrape: the scraper keeps one figure per interval.
 */
export class EventLoopLagScraper {
  /** p99 event-loop delay of each interval, in ms. */
  readonly intervalP99sMs: number[] = [];
  readonly failures: string[] = [];
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;

  constructor(private readonly metricsUrl: string) {}

  /** Starts scraping; the first scrape only resets the histogram, so that idle time before the load is not counted. */
  async start({ intervalMs }: { intervalMs: number }): Promise<this> {
    await this.scrape();
    this.intervalP99sMs.length = 0;
    this.timer = setInterval(() => {
      // A scrape slower than the interval (an app under load) is skipped rather than queued.
      this.inFlight ??= this.scrape().finally(() => (this.inFlight = undefined));
    }, intervalMs);
    return this;
  }

  /** Stops, with one last scrape covering the time since the previous one. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
    await this.scrape();
  }

  private async scrape({ isRetry = false }: { isRetry?: boolean } = {}): Promise<void> {
    try {
      const response = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
      const value = Number(LAG_P99.exec(await response.text())?.[1] ?? NaN);
      if (Number.isFinite(value)) this.intervalP99sMs.push(value * 1000);
      else this.failures.push(`no nodejs_eventloop_lag_p99_seconds in ${this.metricsUrl}`);
    } catch (error) {
      // A kept-alive connection the app closed while its event loop was stalled fails once; a new one
      // is tried. A failed scrape loses nothing: the next one's p99 covers the time since the last.
      if (!isRetry && error instanceof TypeError) return this.scrape({ isRetry: true });
      this.failures.push(`${this.metricsUrl}: ${String(error)}`);
    }
  }
}

const SCRAPE_TIMEOUT_MS = 10_000;
const HEAP_USED = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})?\s+(\S+)$/m;
const HEAP_TOTAL = /^nodejs_heap_size_total_bytes(?:\{[^}]*\})?\s+(\S+)$/m;
const EXTERNAL = /^nodejs_external_memory_bytes(?:\{[^}]*\})?\s+(\S+)$/m;

/** What each app's main thread held at one moment, in MB, by name. */
export interface HeapSample {
  /** `performance.now()` when taken. */
  at: number;
  /** V8's heap in use (live objects and garbage not yet collected). */
  heapUsedMb: Record<string, number>;
  /** What V8 has taken from the system for its heap: the top of the saw, and part of RSS. */
  heapTotalMb: Record<string, number>;
  /** Memory outside the heap that JS objects hold (Buffers, ArrayBuffers). */
  externalMb: Record<string, number>;
}

/**
 * Samples each app's JS heap from its `GET /metrics` (prom-client's default metrics) on a timer,
 * so that a soak can tell a process's RSS growing with its heap (objects kept: a leak to find in a
 * heap snapshot) from RSS growing outside it (native memory, the allocator, thread stacks). Each
 * reading lands somewhere on the saw of garbage collection; the lowest of a minute is the nearest
 * to what that minute's collections kept. Only the main thread's heap: a worker thread's (the
 * orchestrator's CPU pool) is not in these metrics, though it is in the process's RSS.
 */
export class HeapSampler {
  readonly samples: HeapSample[] = [];
  readonly failures: string[] = [];
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;

  /** `urls`: each app's base address, by name. */
  constructor(private readonly urls: Record<string, string>) {}

  start({ intervalMs }: { intervalMs: number }): this {
    this.timer = setInterval(() => {
      // A scrape slower than the interval (an app under load) is skipped rather than queued.
      this.inFlight ??= this.sample().finally(() => (this.inFlight = undefined));
    }, intervalMs);
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }

  /** The lowest heap in use of `name` among samples taken in [from, to], in MB (NaN with none). */
  floor(window: { name: string; from: number; to: number }): number {
    const values = this.valuesIn({ ...window, of: 'heapUsedMb' });
    return values.length ? Math.min(...values) : NaN;
  }

  /** The highest of `name`'s heap total or external memory among samples taken in [from, to], in MB (NaN with none). */
  peak(window: { name: string; of: 'heapTotalMb' | 'externalMb'; from: number; to: number }): number {
    const values = this.valuesIn(window);
    return values.length ? Math.max(...values) : NaN;
  }

  private valuesIn({
    name,
    of,
    from,
    to,
  }: {
    name: string;
    of: Exclude<keyof HeapSample, 'at'>;
    from: number;
    to: number;
  }): number[] {
    return this.samples
      .filter((sample) => sample.at >= from && sample.at <= to)
      .map((sample) => sample[of][name])
      .filter(Number.isFinite);
  }

  private async sample(): Promise<void> {
    const at = performance.now();
    const heapUsedMb: Record<string, number> = {};
    const heapTotalMb: Record<string, number> = {};
    const externalMb: Record<string, number> = {};
    await Promise.all(
      Object.entries(this.urls).map(async ([name, url]) => {
        try {
          const text = await (
            await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) })
          ).text();
          heapUsedMb[name] = Number(HEAP_USED.exec(text)?.[1] ?? NaN) / 2 ** 20;
          heapTotalMb[name] = Number(HEAP_TOTAL.exec(text)?.[1] ?? NaN) / 2 ** 20;
          externalMb[name] = Number(EXTERNAL.exec(text)?.[1] ?? NaN) / 2 ** 20;
        } catch (error) {
          heapUsedMb[name] = heapTotalMb[name] = externalMb[name] = NaN;
          this.failures.push(`${url}/metrics: ${String(error)}`);
        }
      }),
    );
    this.samples.push({ at, heapUsedMb, heapTotalMb, externalMb });
  }
}

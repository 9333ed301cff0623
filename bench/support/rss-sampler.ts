import { readFileSync } from 'node:fs';

/** Every process's resident memory at one moment, in MB, by name. */
export interface RssSample {
  /** `performance.now()` when taken. */
  at: number;
  rssMb: Record<string, number>;
}

/** Resident set size of a process, in MB, as the kernel reports it (VmRSS: all its threads, native memory included). */
function readRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
  return kilobytes / 1024;
}

/**
 * Samples the memory of a few processes on a timer, so that a benchmark can report each one's
 * peak during a load rather than only its value at the end.
 */
export class RssSampler {
  readonly samples: RssSample[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly pids: Record<string, number>) {}

  /** The memory of every process now (a process that has gone reads as NaN). */
  now(): RssSample {
    const rssMb: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      try {
        rssMb[name] = readRssMb(pid);
      } catch {
        rssMb[name] = NaN;
      }
    }
    return { at: performance.now(), rssMb };
  }

  start({ intervalMs }: { intervalMs: number }): this {
    this.samples.push(this.now());
    this.timer = setInterval(() => this.samples.push(this.now()), intervalMs);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.samples.push(this.now());
  }

  /** The highest memory of `name` among samples taken in [from, to] (performance.now() times). */
  peak({ name, from = -Infinity, to = Infinity }: { name: string; from?: number; to?: number }): number {
    return Math.max(
      ...this.samples
        .filter((sample) => sample.at >= from && sample.at <= to)
        .map((sample) => sample.rssMb[name]),
    );
  }

  /** The lowest memory of `name` among samples taken in [from, to]. */
  trough({ name, from = -Infinity, to = Infinity }: { name: string; from?: number; to?: number }): number {
    return Math.min(
      ...this.samples
        .filter((sample) => sample.at >= from && sample.at <= to)
        .map((sample) => sample.rssMb[name]),
    );
  }

  /** The sample taken closest to `at`. */
  closestTo(at: number): RssSample {
    return this.samples.reduce((best, sample) =>
      Math.abs(sample.at - at) < Math.abs(best.at - at) ? sample : best,
    );
  }
}

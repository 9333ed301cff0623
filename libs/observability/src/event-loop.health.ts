import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { OrchestratorConfig } from '@app/config';
import { IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

/** The window the lag is judged over: long enough to be steady, short enough to recover soon. */
const WINDOW_MS = 5000;

/**
 * Health: is the event loop free? A loop held by synchronous work cannot renew job locks, hear
 * cancels or fire timeouts, so the orchestrator reports itself down while the p99 delay of the
 * last window is above `EVENT_LOOP_LAG_LIMIT_MS`. (The same delay is exported to Prometheus by
 * prom-client's default `nodejs_eventloop_lag_*` metrics, reset at every scrape.)
 */
@Injectable()
export class EventLoopHealthIndicator implements OnModuleInit, OnModuleDestroy {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private lastWindow = { p99Ms: 0, maxMs: 0 };
  private timer: NodeJS.Timeout | null = null;
  private readonly limitMs: number;

  constructor(
    private readonly health: HealthIndicatorService,
    config: OrchestratorConfig,
  ) {
    this.limitMs = config.EVENT_LOOP_LAG_LIMIT_MS;
  }

  onModuleInit(): void {
    this.start(WINDOW_MS);
  }

  /** Starts measuring in windows of `windowMs` (shorter in tests). */
  start(windowMs: number): void {
    this.histogram.enable();
    this.timer = setInterval(() => this.closeWindow(), windowMs).unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.histogram.disable();
  }

  /** Async like every readiness check, though it only reads the last window. */
  async check(key = 'eventLoop'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const { p99Ms, maxMs } = this.lastWindow;
    const figures = { lagP99Ms: round(p99Ms), lagMaxMs: round(maxMs), limitMs: this.limitMs };
    if (p99Ms <= this.limitMs) return indicator.up(figures);
    return indicator.down({
      ...figures,
      message: `event loop starved: p99 delay ${round(p99Ms)} ms over the last window, above the ${this.limitMs} ms limit`,
    });
  }

  private closeWindow(): void {
    // The histogram records nanoseconds.
    this.lastWindow = { p99Ms: this.histogram.percentile(99) / 1e6, maxMs: this.histogram.max / 1e6 };
    this.histogram.reset();
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

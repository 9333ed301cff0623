import type { BreakerState } from '@app/flow-control';
import { Counter, Gauge, Registry, register } from 'prom-client';

/** `circuit_breaker_state`'s values. */
const STATE_VALUES: Record<BreakerState, number> = { closed: 0, open: 1, half_open: 2 };

/**
 * The breakers' Prometheus metrics, in the worker's registry: the state each breaker was last
 * seen in by this process (0 closed, 1 open, 2 half-open), and the transitions this process made.
 * A second worker in the same process shares them, as {@link WorkerMetrics} does.
 */
export class BreakerMetrics {
  private readonly state: Gauge<string>;
  private readonly transitions: Counter<string>;

  constructor(registry: Registry = register) {
    this.state =
      (registry.getSingleMetric('circuit_breaker_state') as Gauge<string> | undefined) ??
      new Gauge({
        name: 'circuit_breaker_state',
        help: 'A dependency circuit breaker as this process last saw it: 0 closed, 1 open, 2 half-open',
        labelNames: ['dependency'],
        registers: [registry],
      });
    this.transitions =
      (registry.getSingleMetric('circuit_breaker_transitions_total') as Counter<string> | undefined) ??
      new Counter({
        name: 'circuit_breaker_transitions_total',
        help: 'Circuit breaker transitions this process made, by dependency and the state entered',
        labelNames: ['dependency', 'to'],
        registers: [registry],
      });
  }

  observed(dependency: string, state: BreakerState): void {
    this.state.set({ dependency }, STATE_VALUES[state]);
  }

  transitioned(dependency: string, to: BreakerState): void {
    this.transitions.inc({ dependency, to });
  }
}

import type { BreakerState, BreakerStatus } from '@app/flow-control';

/** A circuit breaker's last transition. */
export class CircuitBreakerTransition {
  /** The state it entered: closed, open or half_open. */
  to!: BreakerState;
  /** ISO-8601 time (Redis's clock). */
  at!: string;
  /** Why: `5 consecutive failures`, `rate limited for 2000 ms`, `a probe failed`, `reset by an admin`... */
  reason!: string;
}

/** A dependency's circuit breaker, shared by every worker. Answer of `GET /admin/breakers` (a list). */
export class CircuitBreakerStatus implements BreakerStatus {
  /** The dependency's name: `llm:<provider>:<model>`, `http:<host>`, or one an agent declares. */
  dependency!: string;
  /** closed: calls go through; open: steps that need it wait; half_open: a few probe calls test it. */
  state!: BreakerState;
  /** Consecutive failures counted while closed. */
  failures!: number;
  /** ISO-8601 time it stays open until (then it probes); null unless open. */
  openUntil!: string | null;
  /** Null for a breaker that never failed. */
  lastTransition!: CircuitBreakerTransition | null;
  /** Transitions since a worker first saw it fail. */
  transitions!: number;
}

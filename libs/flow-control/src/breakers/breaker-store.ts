import { randomUUID } from 'node:crypto';
import { FlowControlRedis } from '../flow-control-redis';
import { BreakerKeys } from './breaker-keys';
import { BREAKER_FUNCTIONS } from './breaker-scripts.lua';
import { BreakerSettings, DEFAULT_BREAKER_SETTINGS } from './breaker-settings';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** What a call to a dependency came to, as far as its breaker cares. */
export type BreakerOutcome =
  /** It answered (an answer the caller got wrong, a 4xx, counts here too: the dependency works). */
  | { kind: 'success' }
  /** It failed: 5xx, a network error, a timeout. */
  | { kind: 'failure' }
  /** It asked us to stay away, for `resetMs` when it said how long (then the breaker opens for exactly that). */
  | { kind: 'rate-limited'; resetMs: number | null }
  /** Says nothing about the dependency (the step was cancelled): only gives a probe lease back. */
  | { kind: 'ignored' };

/** A transition some call made, as it is published on {@link BreakerKeys.transitionsChannel}. */
export interface BreakerTransition {
  dependency: string;
  from: BreakerState;
  to: BreakerState;
  /** Epoch ms (Redis time). */
  at: number;
  /** Epoch ms until which it stays open; 0 unless `to` is open. */
  openUntil: number;
  reason: string;
}

/** Whether a call may go to the dependency now. */
export interface BreakerPermission {
  /** allow: closed; probe: half-open, and this call is one of the probes; deny: wait. */
  decision: 'allow' | 'probe' | 'deny';
  state: BreakerState;
  /** When denied: epoch ms to ask again (the end of the cool-down, or of a probe's lease). */
  retryAt: number | null;
  /** The token of the probe lease this call holds; give it back through {@link BreakerStore.record}. */
  probeToken: string | null;
  /** The transition this call made (open → half-open when its cool-down was over), if any. */
  transitioned: BreakerState | null;
  /** Why it is in this state (the last transition's reason). */
  reason: string;
}

/** A breaker's state after a recorded outcome. */
export interface BreakerRecord {
  state: BreakerState;
  openUntil: number | null;
  transitioned: BreakerState | null;
  reason: string;
}

/** A breaker as admins see it (`GET /admin/breakers`). */
export interface BreakerStatus {
  dependency: string;
  state: BreakerState;
  /** Consecutive failures while closed. */
  failures: number;
  /** ISO-8601 time it stays open until; null unless open. */
  openUntil: string | null;
  /** The last transition; null for a breaker that never failed. */
  lastTransition: { to: BreakerState; at: string; reason: string } | null;
  /** Transitions since it was first seen. */
  transitions: number;
}

/** A breaker nobody used for this long is forgotten (its keys expire). */
const IDLE_TTL_MS = 8 * 24 * 3600 * 1000;

/**
 * Circuit breakers' state in Redis, shared by every worker: each decision and each outcome is one
 * call of the flow-control function library (breaker-scripts.lua.ts), which makes and publishes
 * any transition it causes. Settings travel with every call, so the worker that calls decides
 * how its breaker behaves, and one without configuration of its own uses the defaults.
 */
export class BreakerStore {
  readonly keys: BreakerKeys;
  /** Dependencies this process has put in the registry already, so it adds each once. */
  private readonly registered = new Set<string>();

  constructor(
    private readonly redis: FlowControlRedis,
    prefix: string,
  ) {
    this.keys = new BreakerKeys(prefix);
  }

  /** Asks whether a call may go to `dependency` now; a probe must be given back by {@link record}. */
  async acquire(dependency: string, settings: BreakerSettings): Promise<BreakerPermission> {
    await this.register(dependency);
    const probeToken = randomUUID();
    const answer = await this.call(BREAKER_FUNCTIONS.acquire, dependency, settings, [probeToken]);
    const decision = answer.decision as BreakerPermission['decision'];
    return {
      decision,
      state: answer.state,
      retryAt: decision === 'deny' ? answer.retryAt : null,
      probeToken: decision === 'probe' ? probeToken : null,
      transitioned: answer.transitioned,
      reason: answer.reason,
    };
  }

  /** Records what a call came to; `probeToken` is the permission's, when it was a probe. */
  async record(
    dependency: string,
    settings: BreakerSettings,
    outcome: BreakerOutcome,
    probeToken: string | null = null,
  ): Promise<BreakerRecord> {
    const resetMs =
      outcome.kind === 'rate-limited' && outcome.resetMs !== null ? Math.round(outcome.resetMs) : '';
    const answer = await this.call(BREAKER_FUNCTIONS.record, dependency, settings, [
      outcome.kind.replace('-', '_'),
      probeToken ?? '',
      resetMs,
    ]);
    const { state, openUntil, transitioned, reason } = answer;
    return { state, openUntil, transitioned, reason };
  }

  /** Closes a breaker, as an admin asks; null when no worker ever asked about that dependency. */
  async reset(dependency: string, reason = 'reset by an admin'): Promise<BreakerStatus | null> {
    const answer = await this.call(BREAKER_FUNCTIONS.reset, dependency, DEFAULT_BREAKER_SETTINGS, [reason]);
    if (answer.decision === 'unknown' && !(await this.isKnown(dependency))) return null;
    return this.status(dependency);
  }

  /** Every breaker some worker has asked about, by name. */
  async list(): Promise<BreakerStatus[]> {
    const dependencies = (await this.redis.redis.smembers(this.keys.registry)).sort();
    return Promise.all(dependencies.map((dependency) => this.status(dependency)));
  }

  /** One breaker, as closed with nothing counted when it never failed. */
  async status(dependency: string): Promise<BreakerStatus> {
    const [stateKey] = this.keys.of(dependency);
    const hash = await this.redis.redis.hgetall(stateKey);
    const state = (hash.state ?? 'closed') as BreakerState;
    const openUntil = Number(hash.openUntil ?? 0);
    return {
      dependency,
      state,
      failures: Number(hash.failures ?? 0),
      openUntil: state === 'open' && openUntil > 0 ? new Date(openUntil).toISOString() : null,
      lastTransition:
        hash.changedAt === undefined
          ? null
          : {
              to: hash.changedTo as BreakerState,
              at: new Date(Number(hash.changedAt)).toISOString(),
              reason: hash.reason ?? '',
            },
      transitions: Number(hash.transitions ?? 0),
    };
  }

  async isKnown(dependency: string): Promise<boolean> {
    return (await this.redis.redis.sismember(this.keys.registry, dependency)) === 1;
  }

  private async register(dependency: string): Promise<void> {
    if (this.registered.has(dependency)) return;
    await this.redis.redis.sadd(this.keys.registry, dependency);
    this.registered.add(dependency);
  }

  private async call(
    fn: string,
    dependency: string,
    settings: BreakerSettings,
    args: (string | number)[],
  ): Promise<{
    decision: string;
    state: BreakerState;
    openUntil: number | null;
    transitioned: BreakerState | null;
    reason: string;
    retryAt: number | null;
  }> {
    const answer = (await this.redis.call(fn, this.keys.of(dependency), [
      this.keys.transitionsChannel,
      dependency,
      settings.failureThreshold,
      settings.errorRateThreshold,
      settings.windowMs,
      settings.minimumCalls,
      settings.coolDownMs,
      settings.halfOpenProbes,
      settings.probeLeaseMs,
      settings.closeAfterSuccesses,
      settings.maxOpenMs,
      IDLE_TTL_MS,
      ...args,
    ])) as [string, BreakerState, number, string, string, number];
    const [decision, state, openUntil, transitioned, reason, retryAt] = answer;
    return {
      decision,
      state,
      openUntil: openUntil > 0 ? openUntil : null,
      transitioned: transitioned === '' ? null : (transitioned as BreakerState),
      reason,
      retryAt: retryAt > 0 ? retryAt : null,
    };
  }
}

import {
  BreakerConfiguration,
  BreakerOutcome,
  BreakerOverrides,
  BreakerPermission,
  BreakerRecord,
  BreakerState,
  BreakerStore,
  DependencyBreakerSettings,
  breakerSettingsOf,
  checkBreakerOverrides,
  checkDependencyName,
} from '@app/flow-control';
import { RateLimitedError } from '../agent-errors';
import type { WorkerLogger } from '../worker/worker-logger';
import { breakerOutcomeOfError } from './breaker-outcome';
import { BreakerMetrics } from './breaker-metrics';

/** Held by one call between {@link CircuitBreakers.before} and {@link CircuitBreakers.after}. */
export interface BreakerTicket {
  dependency: string;
  /** Set when the call is one of the half-open breaker's probes. */
  probeToken: string | null;
}

/**
 * A call was not made: the dependency's breaker is open (or half-open with every probe taken).
 * A {@link RateLimitedError}, so a step that meets it is retried once the breaker may let it
 * through; a step whose agent declares the dependency waits before it begins instead.
 */
export class CircuitOpenError extends RateLimitedError {
  constructor(
    readonly dependency: string,
    /** When to try again. */
    readonly retryAt: Date,
    reason: string,
  ) {
    super(
      `circuit ${reason}: ${dependency} until ${timeOfDay(retryAt)}`,
      Math.max(0, retryAt.getTime() - Date.now()),
    );
  }
}

/** A decision of the gate: a step may begin, or waits until `retryAt`. */
export type BreakerAdmission =
  { admitted: true; tickets: BreakerTicket[] } | { admitted: false; retryAt: Date; reason: string };

export interface CircuitBreakersOptions {
  store: BreakerStore;
  /** The deployment's settings (`CIRCUIT_BREAKERS`), which win over the agents'. */
  configured?: BreakerConfiguration;
  logger: WorkerLogger;
  metrics?: BreakerMetrics;
  /** Closed by {@link CircuitBreakers.close}: the connection its store was made on, when it owns one. */
  connection?: { quit(): Promise<unknown> };
}

/**
 * The circuit breakers of the dependencies agents call, shared by every worker through Redis.
 * Wrap a call in {@link guard} (or {@link before} and {@link after}): while a dependency's breaker
 * is open the call is not made and a {@link CircuitOpenError} says until when; its outcome opens,
 * probes and closes the breaker for every worker at once. {@link resolve} names the configured
 * fallback of a dependency whose breaker is open (an LLM client asks before it picks a model).
 *
 * ```ts
 * const answer = await breakers.guard('payments-api', () => fetch(url));  // a Response is classified by its status
 * const model = await breakers.resolve('llm:openai:gpt-4o');               // 'llm:openai:gpt-4o-mini' while gpt-4o's is open
 * ```
 */
export class CircuitBreakers {
  /** Descriptors' overrides, by dependency; the first agent to declare one sets it. */
  private readonly declared: Record<string, BreakerOverrides> = {};
  /** Probe leases the gate took for steps about to call, by dependency, for their calls to use. */
  private readonly gateProbes = new Map<string, Set<string>>();

  constructor(private readonly options: CircuitBreakersOptions) {}

  /** Closes the Redis connection it owns, if any. */
  async close(): Promise<void> {
    await this.options.connection?.quit().catch(() => undefined);
  }

  /** Takes an agent's `breakers` overrides; throws, naming the agent, when they cannot work. */
  declare(agent: string, breakers: Record<string, unknown> | undefined): void {
    for (const [dependency, overrides] of Object.entries(breakers ?? {})) {
      checkDependencyName(dependency);
      this.declared[dependency] ??= checkBreakerOverrides(
        overrides,
        `agent ${agent}: breakers["${dependency}"]`,
      );
    }
  }

  settingsOf(dependency: string): DependencyBreakerSettings {
    return breakerSettingsOf(dependency, { declared: this.declared, configured: this.options.configured });
  }

  /** Asks to call `dependency`; throws a {@link CircuitOpenError} while its breaker refuses. */
  async before(dependency: string): Promise<BreakerTicket> {
    const handed = this.takeGateProbe(dependency);
    if (handed) return { dependency, probeToken: handed };
    const permission = await this.acquire(dependency);
    if (permission.decision === 'deny')
      throw new CircuitOpenError(
        dependency,
        new Date(permission.retryAt ?? Date.now()),
        reasonOf(permission.state),
      );
    return { dependency, probeToken: permission.probeToken };
  }

  /** Tells the breaker what the call came to; never throws (a lost report must not fail the call). */
  async after(ticket: BreakerTicket, outcome: BreakerOutcome): Promise<void> {
    try {
      const record = await this.options.store.record(
        ticket.dependency,
        this.settingsOf(ticket.dependency),
        outcome,
        ticket.probeToken,
      );
      this.observe(ticket.dependency, record);
    } catch (error) {
      this.options.logger.warn(
        `circuit breaker ${ticket.dependency}: could not record an outcome: ${String(error)}`,
      );
    }
  }

  /**
   * Calls `fn` through the dependency's breaker. Its outcome: what `classify` says of the result
   * (a success unless told), or what {@link breakerOutcomeOfError} says of what it threw.
   */
  async guard<T>(
    dependency: string,
    fn: () => Promise<T>,
    classify?: (result: T) => BreakerOutcome,
  ): Promise<T> {
    const ticket = await this.before(dependency);
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      await this.after(ticket, breakerOutcomeOfError(error));
      throw error;
    }
    await this.after(ticket, classify ? classify(result) : { kind: 'success' });
    return result;
  }

  /**
   * The dependency to call: its configured `fallback` while its own breaker is open (and the
   * fallback's is not), else itself. One level: a fallback's fallback is not followed.
   */
  async resolve(dependency: string): Promise<string> {
    const { fallback } = this.settingsOf(dependency);
    if (!fallback) return dependency;
    const [primary, alternative] = await Promise.all([
      this.options.store.status(dependency),
      this.options.store.status(fallback),
    ]);
    const isOpen = (status: typeof primary) =>
      status.state === 'open' && Date.parse(status.openUntil ?? '') > Date.now();
    return isOpen(primary) && !isOpen(alternative) ? fallback : dependency;
  }

  /**
   * The gate's question for a step whose agent declares `dependencies`: may it begin now? A probe
   * lease it takes is handed to the step's own call through {@link before}; {@link releaseAdmission}
   * gives back the ones the step never used.
   */
  async admit(dependencies: readonly string[]): Promise<BreakerAdmission> {
    const tickets: BreakerTicket[] = [];
    for (const dependency of dependencies) {
      const permission = await this.acquire(dependency);
      if (permission.decision === 'deny') {
        await this.releaseAdmission(tickets);
        const retryAt = new Date(permission.retryAt ?? Date.now() + 1000);
        return {
          admitted: false,
          retryAt,
          reason: `circuit ${reasonOf(permission.state)}: ${dependency} until ${timeOfDay(retryAt)}`,
        };
      }
      if (permission.probeToken) {
        tickets.push({ dependency, probeToken: permission.probeToken });
        this.gateProbesOf(dependency).add(permission.probeToken);
      }
    }
    return { admitted: true, tickets };
  }

  /** After the step: a probe lease the gate took and no call used goes back, counting nothing. */
  async releaseAdmission(tickets: readonly BreakerTicket[]): Promise<void> {
    await Promise.all(
      tickets.map(async (ticket) => {
        if (ticket.probeToken && this.gateProbesOf(ticket.dependency).delete(ticket.probeToken))
          await this.after(ticket, { kind: 'ignored' });
      }),
    );
  }

  private async acquire(dependency: string): Promise<BreakerPermission> {
    const permission = await this.options.store.acquire(dependency, this.settingsOf(dependency));
    this.observe(dependency, { ...permission, openUntil: null });
    return permission;
  }

  private takeGateProbe(dependency: string): string | null {
    const probes = this.gateProbes.get(dependency);
    const [token] = probes ?? [];
    if (token === undefined) return null;
    probes?.delete(token);
    return token;
  }

  private gateProbesOf(dependency: string): Set<string> {
    let probes = this.gateProbes.get(dependency);
    if (!probes) this.gateProbes.set(dependency, (probes = new Set()));
    return probes;
  }

  /** The metric always; a log line and a count when this call made a transition. */
  private observe(dependency: string, { state, transitioned, reason, openUntil }: BreakerRecord): void {
    this.options.metrics?.observed(dependency, state);
    if (!transitioned) return;
    this.options.metrics?.transitioned(dependency, transitioned);
    const until = transitioned === 'open' && openUntil ? ` until ${new Date(openUntil).toISOString()}` : '';
    const line = `circuit breaker ${dependency} → ${transitioned}${until}: ${reason}`;
    if (transitioned === 'open') this.options.logger.warn(line);
    else this.options.logger.log(line);
  }
}

function reasonOf(state: BreakerState): string {
  return state === 'half_open' ? 'half-open, probing' : 'open';
}

/** `12:03:04Z`: enough for a person reading why a step waits. */
function timeOfDay(date: Date): string {
  return `${date.toISOString().slice(11, 19)}Z`;
}

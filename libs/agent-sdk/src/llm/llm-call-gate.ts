import { LogLevel } from '@app/contracts/enums';
// Types only from the library's index, which loads the contracts' DTOs: this module is also
// loaded by CPU-pool threads (through the SDK's index), which have no reflect-metadata.
import type { LimitAnswer, LlmLimiter } from '@app/flow-control';
import { DEFAULT_LLM_MAX_TOKENS, LlmLimits } from '@app/flow-control/llm-limit-settings';
import { Counter, Registry, register } from 'prom-client';
import { CancelledError, LlmError, RateLimitedError } from '../agent-errors';
import { breakerOutcomeOfError } from '../breakers/breaker-outcome';
import type { BreakerTicket, CircuitBreakers } from '../breakers/circuit-breakers';
import { LlmRateLimitedError } from './llm-errors';
import { LlmRequest } from './llm-request';
import { estimatePromptTokens } from './token-estimate';

/** What the gate needs of the step a call is made for. */
export interface LlmGateScope {
  signal: AbortSignal;
  /** When the step times out: a wait that would end later is the step's retry policy's, not ours. */
  deadline?: Date;
  log(level: LogLevel, message: string, metadata?: Record<string, unknown>): void;
}

/** Held by one admitted call until it has ended. */
export interface LlmPass {
  /** Corrects the token estimate by what the call spent and tells the breaker how it ended. */
  settle(spentTokens: number, error?: unknown): Promise<void>;
}

export interface LlmCallGateOptions {
  /** The shared limits; without it, no model is limited. */
  limiter?: LlmLimiter;
  /** The deployment's limits by dependency (`LLM_LIMITS`). */
  limits?: LlmLimits;
  /** The worker's circuit breakers; without them, calls go straight to the provider. */
  breakers?: CircuitBreakers;
  metricsRegistry?: Registry;
}

/** The dependency a model's limits and breaker are kept under: `llm:<provider>:<model>`. */
export const llmDependencyOf = (provider: string, model: string) => `llm:${provider}:${model}`;

/**
 * What a language-model call passes before it reaches its provider: the circuit breaker of its
 * (provider, model), which may route it to the configured fallback model while open, and the
 * model's request and token limits, shared by every worker. A call the limits refuse waits in
 * the step (they compute for how long) and never fails for it, unless the wait would outlast the
 * step's deadline: then it fails rate-limited, and the step's retry policy queues it again.
 */
export class LlmCallGate {
  private readonly waits: Counter<string>;
  private readonly waitedSeconds: Counter<string>;

  constructor(private readonly options: LlmCallGateOptions = {}) {
    const registry = options.metricsRegistry ?? register;
    const counter = (name: string, help: string) =>
      (registry.getSingleMetric(name) as Counter<string> | undefined) ??
      new Counter({ name, help, labelNames: ['provider', 'model'], registers: [registry] });
    this.waits = counter(
      'llm_limit_waits_total',
      'Model calls that waited for their model’s request or token limit',
    );
    this.waitedSeconds = counter('llm_limit_wait_seconds_total', 'Time model calls waited for their limits');
  }

  /** The model to call: the configured fallback of `model` while its breaker is open, else itself. */
  async route(provider: string, model: string): Promise<string> {
    if (!this.options.breakers) return model;
    const chosen = await this.options.breakers.resolve(llmDependencyOf(provider, model));
    const prefix = `llm:${provider}:`;
    // A fallback at another provider cannot be called with this provider's key: keep the model.
    return chosen.startsWith(prefix) ? chosen.slice(prefix.length) : model;
  }

  /**
   * Lets one call of `model` through: its breaker (throws a CircuitOpenError while open), then its
   * limits, waited for as long as they say.
   */
  async admit(provider: string, model: string, request: LlmRequest, scope: LlmGateScope): Promise<LlmPass> {
    const dependency = llmDependencyOf(provider, model);
    const ticket: BreakerTicket | null = this.options.breakers
      ? await this.options.breakers.before(dependency)
      : null;
    const limit = this.options.limits?.[dependency];
    const limiter = this.options.limiter;
    const estimate = limit
      ? estimatePromptTokens(request.messages) +
        (request.maxTokens ?? limit.defaultMaxTokens ?? DEFAULT_LLM_MAX_TOKENS)
      : 0;
    if (limit && limiter) {
      try {
        await this.waitForLimit(dependency, () => limiter.take(provider, model, limit, estimate), scope);
      } catch (error) {
        if (ticket) await this.options.breakers?.after(ticket, { kind: 'ignored' });
        throw error;
      }
    }
    return {
      settle: async (spentTokens, error) => {
        await Promise.all([
          limit && limiter && limit.tokens
            ? limiter
                .correct(provider, model, limit, spentTokens - estimate)
                .catch((problem: unknown) =>
                  scope.log(
                    LogLevel.Warning,
                    `could not correct ${dependency}'s token count: ${String(problem)}`,
                  ),
                )
            : undefined,
          ticket
            ? this.options.breakers?.after(
                ticket,
                error === undefined ? { kind: 'success' } : breakerOutcomeOfError(error),
              )
            : undefined,
        ]);
      },
    };
  }

  private async waitForLimit(
    dependency: string,
    take: () => Promise<LimitAnswer>,
    scope: LlmGateScope,
  ): Promise<void> {
    const [, provider, model] = /^llm:([^:]+):(.*)$/.exec(dependency) ?? ['', '', dependency];
    for (;;) {
      const answer = await take();
      if (answer.isAllowed) return;
      const waitMs = answer.retryInMs;
      if (scope.deadline && Date.now() + waitMs >= scope.deadline.getTime()) {
        throw new LlmRateLimitedError(
          `${dependency}: its limit lets the next call through in ${waitMs} ms, after the step's deadline`,
          waitMs,
        );
      }
      this.waits.inc({ provider, model });
      this.waitedSeconds.inc({ provider, model }, waitMs / 1000);
      scope.log(LogLevel.Info, `language model ${dependency} at its limit: the call waits ${waitMs} ms`, {
        dependency,
        waitMs,
      });
      await sleep(waitMs, scope.signal);
    }
  }
}

/**
 * True for a refusal whose wait ends after the step's deadline: retrying it inside the step
 * would only meet the timeout, so it goes to the step's retry policy at once.
 */
export function outlastsDeadline(error: unknown, deadline: Date | undefined): boolean {
  if (!deadline) return false;
  const retryAfterMs =
    error instanceof LlmError || error instanceof RateLimitedError ? error.retryAfterMs : null;
  return retryAfterMs !== null && Date.now() + retryAfterMs >= deadline.getTime();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const reason = () => (signal.reason instanceof Error ? signal.reason : new CancelledError());
    if (signal.aborted) return reject(reason());
    const onAbort = () => {
      clearTimeout(timer);
      reject(reason());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

import { SpanKind, trace } from '@opentelemetry/api';
import { LogLevel } from '@app/contracts/enums';
import { ErrorKind, describeError, errorKindOf } from '../agent-errors';
import { breakerOutcomeOfError } from '../breakers/breaker-outcome';
import { defaultRetryConfig, mergeRetryConfig, retryWithBackoff, RetryConfig } from '../retry-policy';
import { inSpan } from '../spans';
import { parseJsonAnswer } from './json-answer.parser';
import { LlmCallGate, LlmCallGateOptions, outlastsDeadline } from './llm-call-gate';
import { InvalidOutputError } from './llm-errors';
import { DEFAULT_LLM_PRICES, LlmPriceTable, costOf, priceOf } from './llm-price-table';
import { LlmCallAborted, LlmProvider, LlmProviderAnswer } from './llm-provider';
import { AgentLlm, LlmAnswerValidator, LlmCompletion, LlmRequest, LlmTokenUsage } from './llm-request';
import { LlmProviderSettings, LlmSettings } from './llm-settings';
import { OfflineRulesProvider } from './offline-rules.provider';
import { OpenAiCompatibleProvider } from './open-ai-compatible.provider';
import { estimatePromptTokens, estimateTokens } from './token-estimate';

/** How one model call ended: `ok`, or the error kind (`rate-limited`, `cancelled`, `timeout`...). */
export type LlmCallOutcome = 'ok' | `${ErrorKind}`;

/** One call to a model, as the client reports it to whoever keeps the accounts. */
export interface LlmCallReport {
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  isEstimated: boolean;
  /** US dollars, from the price table; 0 for a model with no price. */
  costUsd: number;
  durationMs: number;
  outcome: LlmCallOutcome;
  startedAt: Date;
}

/** The step a model is asked for: who asks, what stops it, and where its calls are reported. */
export interface LlmStepScope {
  agent: string;
  signal: AbortSignal;
  /** When the step times out: no wait for a model's limit or breaker lasts past it. */
  deadline?: Date;
  log(level: LogLevel, message: string, metadata?: Record<string, unknown>): void;
  /** Told every call to a model (not the offline rules, which spend nothing), failed ones too. */
  report(call: LlmCallReport): void;
  /** Told each piece of a streamed answer, in order. */
  onDelta?(text: string): void;
}

/**
 * One language-model client for every agent: it picks the provider, model and key configured for
 * the agent (or the call's own model), retries rate limits, overloads and network failures per
 * the retry policy (after `Retry-After` when given), repairs an invalid JSON answer once, and
 * reports every call's tokens, cost, duration and outcome. Given the worker's limiter and
 * breakers, each call waits for its model's shared request and token limits and goes through the
 * model's circuit breaker, to the configured fallback model while it is open ({@link LlmCallGate}).
 * The worker gives each step its {@link AgentLlm} as `context.llm`; agents never see the keys.
 */
export class LlmClient {
  private readonly providers = new Map<string, LlmProvider>();
  private readonly prices: LlmPriceTable;
  private readonly retry: RetryConfig;
  private readonly gate: LlmCallGate;

  constructor(
    private readonly settings: LlmSettings = {},
    shared: Omit<LlmCallGateOptions, 'limits'> = {},
  ) {
    this.gate = new LlmCallGate({ ...shared, limits: settings.limits });
    this.prices = { ...DEFAULT_LLM_PRICES, ...settings.prices };
    // A refused call (400, 401, 404) is the step's to retry or not; in here only transient failures are.
    this.retry = mergeRetryConfig(settings.retry ?? defaultRetryConfig(), {
      maxRetries: { [ErrorKind.Llm]: 0 } as RetryConfig['maxRetries'],
    });
  }

  /** The model of a step. */
  forStep(scope: LlmStepScope): AgentLlm {
    const settings = this.settingsOf(scope.agent);
    return {
      provider: settings.provider,
      complete: (request) => this.complete(request, scope),
      completeJson: (request, validate) => this.completeJson(request, validate, scope),
    };
  }

  /** The price table in force (defaults with the configured overrides). */
  priceTable(): LlmPriceTable {
    return this.prices;
  }

  async complete(request: LlmRequest, scope: LlmStepScope): Promise<LlmCompletion> {
    const settings = this.settingsOf(scope.agent);
    const provider = this.providerOf(settings);
    if (settings.provider === 'offline') return this.attempt(provider, 'offline', request, scope);
    const model = request.model ?? settings.model;
    // One `chat <model>` span (GenAI conventions) per call, its attempts beneath.
    return inSpan(
      `chat ${model}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model },
      },
      () =>
        retryWithBackoff(() => this.routed(provider, model, request, scope), {
          config: this.retry,
          signal: scope.signal,
          // A wait past the step's deadline is the step's retry policy's: it queues the step again.
          isFinal: (error) => outlastsDeadline(error, scope.deadline),
          onRetry: (notice) =>
            scope.log(LogLevel.Warning, `language model call failed; retrying in ${notice.delayMs} ms`, {
              retry: notice.retry,
              kind: notice.kind,
              error: describeError(notice.error),
            }),
        }),
    );
  }

  async completeJson<T>(
    request: LlmRequest,
    validate: LlmAnswerValidator<T>,
    scope: LlmStepScope,
  ): Promise<{ value: T; completion: LlmCompletion }> {
    const asked = { ...request, isJson: true };
    const first = await this.complete(asked, scope);
    const checked = check(first.text, validate);
    if ('value' in checked) return { value: checked.value, completion: first };
    // The offline rules answer deterministically: asking them again would change nothing.
    if (first.provider === 'offline') {
      throw new InvalidOutputError({ ...checked, text: first.text, model: first.model, isRepaired: false });
    }
    scope.log(LogLevel.Warning, `${first.model} answer unusable: ${checked.problem}; asking again`);
    const second = await this.complete(
      {
        ...asked,
        messages: [
          ...request.messages,
          { role: 'assistant', content: first.text },
          {
            role: 'user',
            content: `That answer cannot be used: ${checked.problem}. Answer again with the whole corrected JSON object and nothing else.`,
          },
        ],
      },
      scope,
    );
    const repaired = check(second.text, validate);
    if ('value' in repaired) return { value: repaired.value, completion: second };
    throw new InvalidOutputError({
      problem: repaired.problem,
      text: second.text,
      model: second.model,
      isRepaired: true,
    });
  }

  /**
   * One attempt at `model`, or at its configured fallback while its breaker is open. A refusal
   * that opened the breaker just now is tried on the fallback at once, rather than after the
   * primary's wait.
   */
  private async routed(
    provider: LlmProvider,
    model: string,
    request: LlmRequest,
    scope: LlmStepScope,
  ): Promise<LlmCompletion> {
    const chosen = await this.gate.route(provider.name, model);
    if (chosen !== model) this.fellBack(model, chosen, scope);
    try {
      return await this.gated(provider, chosen, request, scope);
    } catch (error) {
      const outcome = breakerOutcomeOfError(error).kind;
      if (chosen !== model || outcome === 'success' || outcome === 'ignored') throw error;
      const fallback = await this.gate.route(provider.name, model);
      if (fallback === model) throw error;
      this.fellBack(model, fallback, scope);
      return this.gated(provider, fallback, request, scope);
    }
  }

  /** One call through the model's breaker and limits, which learn how it went. */
  private async gated(
    provider: LlmProvider,
    model: string,
    request: LlmRequest,
    scope: LlmStepScope,
  ): Promise<LlmCompletion> {
    const pass = await this.gate.admit(provider.name, model, request, scope);
    let spentTokens = 0;
    try {
      const completion = await this.attempt(
        provider,
        model,
        request,
        scope,
        (tokens) => (spentTokens = tokens),
      );
      await pass.settle(spentTokens);
      return completion;
    } catch (error) {
      await pass.settle(spentTokens, error);
      throw error;
    }
  }

  private fellBack(model: string, fallback: string, scope: LlmStepScope): void {
    scope.log(LogLevel.Warning, `${model}'s circuit breaker is open: calling ${fallback} instead`, {
      model,
      fallback,
    });
    // The call's span names the model that answers, as its usage row does.
    trace.getActiveSpan()?.updateName(`chat ${fallback}`);
    trace.getActiveSpan()?.setAttributes({ 'gen_ai.request.model': fallback, 'ao.llm.fallback_from': model });
  }

  /** One call of the provider, reported however it ends; `spent` is told its tokens. */
  private async attempt(
    provider: LlmProvider,
    model: string,
    request: LlmRequest,
    scope: LlmStepScope,
    spent?: (tokens: number) => void,
  ): Promise<LlmCompletion> {
    const startedAt = new Date();
    const report = (usage: LlmTokenUsage, answeredModel: string, outcome: LlmCallOutcome) => {
      if (provider.name === 'offline') return;
      spent?.(usage.promptTokens + usage.completionTokens);
      scope.report({
        provider: provider.name,
        model: answeredModel,
        ...usage,
        costUsd: costOf(this.prices, answeredModel, usage),
        durationMs: Date.now() - startedAt.getTime(),
        outcome,
        startedAt,
      });
    };
    let answer: LlmProviderAnswer;
    try {
      answer = await provider.call({
        model,
        messages: request.messages,
        isJson: request.isJson ?? false,
        temperature: request.temperature ?? 0.4,
        ...(request.maxTokens ? { maxTokens: request.maxTokens } : {}),
        isStreamed: request.isStreamed ?? false,
        signal: scope.signal,
        onDelta: (text) => scope.onDelta?.(text),
        rules: request.rules,
      });
    } catch (error) {
      if (error instanceof LlmCallAborted) {
        // Cancelled or timed out: what the provider already produced was spent, and is counted.
        const usage = error.usage
          ? { ...error.usage, isEstimated: false }
          : {
              promptTokens: estimatePromptTokens(request.messages),
              completionTokens: estimateTokens(error.partialText),
              isEstimated: true,
            };
        report(usage, model, outcomeOf(error.reason));
        throw error.reason;
      }
      report({ promptTokens: 0, completionTokens: 0, isEstimated: false }, model, outcomeOf(error));
      throw error;
    }
    const usage = this.usageOf(answer, request, scope);
    report(usage, answer.model, 'ok');
    if (provider.name !== 'offline') this.annotateSpan(answer.model, usage);
    return { text: answer.text, provider: provider.name, model: answer.model, usage };
  }

  private usageOf(answer: LlmProviderAnswer, request: LlmRequest, scope: LlmStepScope): LlmTokenUsage {
    if (answer.usage) return { ...answer.usage, isEstimated: false };
    scope.log(LogLevel.Warning, 'language model reported no token usage; counted an estimate from the text', {
      model: answer.model,
    });
    return {
      promptTokens: estimatePromptTokens(request.messages),
      completionTokens: estimateTokens(answer.text),
      isEstimated: true,
    };
  }

  private annotateSpan(model: string, usage: LlmTokenUsage): void {
    trace.getActiveSpan()?.setAttributes({
      'gen_ai.response.model': model,
      'gen_ai.usage.input_tokens': usage.promptTokens,
      'gen_ai.usage.output_tokens': usage.completionTokens,
      ...(priceOf(this.prices, model) ? { 'ao.llm.cost_usd': costOf(this.prices, model, usage) } : {}),
    });
  }

  private settingsOf(agent: string): LlmProviderSettings {
    return this.settings.agents?.[agent] ?? this.settings.default ?? { provider: 'offline' };
  }

  private providerOf(settings: LlmProviderSettings): LlmProvider {
    const key =
      settings.provider === 'offline' ? 'offline' : `${settings.baseUrl}\u0000${settings.apiKey ?? ''}`;
    let provider = this.providers.get(key);
    if (!provider) {
      provider =
        settings.provider === 'offline'
          ? new OfflineRulesProvider()
          : new OpenAiCompatibleProvider({
              baseUrl: settings.baseUrl,
              apiKey: settings.apiKey,
              requestTimeoutMs: this.settings.requestTimeoutMs,
              fetch: this.settings.fetch,
            });
      this.providers.set(key, provider);
    }
    return provider;
  }
}

function outcomeOf(error: unknown): LlmCallOutcome {
  return errorKindOf(error);
}

function check<T>(text: string, validate: LlmAnswerValidator<T>): { value: T } | { problem: string } {
  const parsed = parseJsonAnswer(text);
  return 'value' in parsed ? validate(parsed.value) : parsed;
}

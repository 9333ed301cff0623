import { randomUUID } from 'node:crypto';
import { LlmCall, StepTokensEvent, stepTokensChannel } from '@app/contracts';
import { BudgetStore } from '@app/flow-control';
import { RedisClient } from '@app/redis';
import { AgentContext, LlmUsage } from '../agent';
import { costOf } from '../llm/llm-price-table';
import { LlmCallReport, LlmClient } from '../llm/llm-client';
import { AgentLlm } from '../llm/llm-request';
import { TelemetryShipper } from './telemetry-shipper';
import { WorkerLogger } from './worker-logger';
import { WorkerMetrics } from './worker-metrics';

/** The step a model is called for, as the accounts name it. */
export interface LlmStep {
  workflowId: string;
  workflowType: string;
  tenantId: string;
  /** The step's id in the workflow (a fan-out's sub-step as `<stepId>#<index>`). */
  stepId: string;
  agent: string;
  signal: AbortSignal;
  /** When the step times out: a call waits for its model's limit no longer than this. */
  deadline?: Date;
  log: AgentContext['log'];
}

/**
 * Gives each step its `context.llm` and keeps the accounts of every call: the step's counters (its
 * workflow's metrics), a row for `llm_calls` in PostgreSQL through `metrics.llm-calls`, and the
 * `llm_*` Prometheus counters, and its budgets' spend in Redis (what the admission gate reads
 * before the next step). A streamed answer's pieces are published on the step-tokens channel
 * for the gateways to relay, numbered per step attempt.
 */
export class StepLlms {
  private readonly channel: string;

  constructor(
    private readonly client: LlmClient,
    private readonly parts: {
      telemetry: TelemetryShipper;
      metrics: WorkerMetrics;
      /** A command connection: publishes keep their order on one connection. */
      publisher: RedisClient;
      prefix: string;
      logger: WorkerLogger;
      /** Where each call's spend counts against its workflow's, tenant's and agent's budgets. */
      budgets?: BudgetStore;
    },
  ) {
    this.channel = stepTokensChannel(parts.prefix);
  }

  /** The model of one step attempt; `spent` is the step's own tally, for its workflow's metrics. */
  forStep(step: LlmStep, spent: { calls: number; tokens: number }): AgentLlm {
    let sequence = 0;
    return this.client.forStep({
      agent: step.agent,
      signal: step.signal,
      deadline: step.deadline,
      log: step.log,
      report: (call) => {
        const tokens = call.promptTokens + call.completionTokens;
        // A refused call (a 429) spent nothing; one cancelled mid-stream spent what it streamed.
        if (call.outcome === 'ok' || tokens > 0) {
          spent.calls += 1;
          spent.tokens += tokens;
        }
        this.record(step, call);
      },
      onDelta: (text) => {
        sequence += 1;
        const event: StepTokensEvent = { workflowId: step.workflowId, stepId: step.stepId, sequence, text };
        this.parts.publisher
          .publish(this.channel, JSON.stringify(event))
          .catch((error: unknown) =>
            this.parts.logger.warn(
              `could not publish streamed tokens of ${step.workflowId}: ${String(error)}`,
            ),
          );
      },
    });
  }

  /** A call an agent made some other way and reported through `recordLlmUsage`. */
  selfReported(step: Omit<LlmStep, 'signal' | 'log'>, usage: LlmUsage): void {
    const model = usage.model ?? 'unknown';
    this.record(step, {
      provider: 'agent',
      model,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      isEstimated: false,
      costUsd: costOf(this.client.priceTable(), model, usage),
      durationMs: 0,
      outcome: 'ok',
      startedAt: new Date(),
    });
  }

  private record(step: Omit<LlmStep, 'signal' | 'log'>, call: LlmCallReport): void {
    this.parts.metrics.llmCallMade(step.agent, call);
    const row: LlmCall = {
      id: randomUUID(),
      workflowId: step.workflowId,
      workflowType: step.workflowType,
      tenantId: step.tenantId,
      stepId: step.stepId,
      agent: step.agent,
      provider: call.provider,
      model: call.model,
      promptTokens: call.promptTokens,
      completionTokens: call.completionTokens,
      isEstimated: call.isEstimated,
      costUsd: call.costUsd,
      durationMs: Math.round(call.durationMs),
      outcome: call.outcome,
      startedAt: call.startedAt.toISOString(),
      finishedAt: new Date(call.startedAt.getTime() + call.durationMs).toISOString(),
    };
    this.parts.telemetry.llmCall(row);
    // Counted as the row says: the provider's tokens, or the estimate for a cancelled stream.
    this.parts.budgets
      ?.spend(
        { workflowId: step.workflowId, tenantId: step.tenantId, agent: step.agent },
        { tokens: call.promptTokens + call.completionTokens, costUsd: call.costUsd },
      )
      .catch((error: unknown) =>
        this.parts.logger.warn(
          `could not count LLM spend of ${step.workflowId} against its budgets: ${String(error)}`,
        ),
      );
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { LlmCall } from '@app/contracts';
import { LlmCallsRepository } from '@app/persistence';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { insertIsolatingBadRows } from '../batch-insert';
import { llmCallProblem } from './llm-call.validation';

export const LLM_CALLS_REJECTED_METRIC = 'llm_calls_rejected_total';

/** Records language-model calls: malformed ones are set aside alone, the rest written in bulk. */
@Injectable()
export class LlmCallsService {
  private readonly logger = new Logger(LlmCallsService.name);

  constructor(
    private readonly repository: LlmCallsRepository,
    @InjectMetric(LLM_CALLS_REJECTED_METRIC) private readonly rejected: Counter<string>,
  ) {}

  /**
   * Writes a batch. A database outage propagates, so the queue job is retried later with the
   * whole batch; calls already written are skipped by their id, so none counts twice.
   */
  async recordBatch(calls: unknown[]): Promise<{ written: number; rejected: number }> {
    const valid: LlmCall[] = [];
    for (const call of calls) {
      const problem = llmCallProblem(call);
      if (problem === null) valid.push(call as LlmCall);
      else this.reject(call, problem);
    }
    const result = await insertIsolatingBadRows(valid, (rows) => this.repository.insertMany(rows));
    for (const { item, reason } of result.rejected) this.reject(item, `refused by PostgreSQL: ${reason}`);
    return { written: result.written.length, rejected: calls.length - valid.length + result.rejected.length };
  }

  private reject(call: unknown, problem: string): void {
    this.rejected.inc();
    this.logger.warn(
      `rejected a malformed language-model call (${problem}): ${JSON.stringify(call)?.slice(0, 500)}`,
    );
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { AgentExecution, LogEntry, LogLevel } from '@app/contracts';
import { AgentExecutionsRepository } from '@app/persistence';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { insertIsolatingBadRows } from '../batch-insert';
import { AgentExecutionMetrics } from './agent-execution.metrics';
import { LogsService } from '../logs/logs.service';
import { agentExecutionProblem } from './agent-execution.validation';

export const AGENT_EXECUTIONS_REJECTED_METRIC = 'agent_executions_rejected_total';

/** Records agent executions: malformed ones are set aside alone, the rest written in bulk. */
@Injectable()
export class AgentExecutionsService {
  private readonly logger = new Logger(AgentExecutionsService.name);

  constructor(
    private readonly repository: AgentExecutionsRepository,
    private readonly logs: LogsService,
    private readonly metrics: AgentExecutionMetrics,
    @InjectMetric(AGENT_EXECUTIONS_REJECTED_METRIC) private readonly rejected: Counter<string>,
  ) {}

  /**
   * Writes a batch. A database outage propagates, so the queue job is retried later with the
   * whole batch; executions already written are skipped by their id, so none counts twice.
   */
  async recordBatch(executions: unknown[]): Promise<{ written: number; rejected: number }> {
    const valid: AgentExecution[] = [];
    for (const execution of executions) {
      const problem = agentExecutionProblem(execution);
      if (problem === null) valid.push(execution as AgentExecution);
      else this.reject(execution, problem);
    }
    const result = await insertIsolatingBadRows(valid, (rows) => this.repository.insertMany(rows));
    for (const { item, reason } of result.rejected) this.reject(item, `refused by PostgreSQL: ${reason}`);
    // Counted by the replica that wrote them, and only then: an execution delivered twice counts once.
    const written = new Set(result.written);
    this.metrics.recorded(valid.filter((execution) => written.has(execution.id)));
    await this.logs.saveBatch(
      valid.filter((execution) => execution.outcome === 'success').map(completionLogEntry),
    );
    return {
      written: result.written.length,
      rejected: executions.length - valid.length + result.rejected.length,
    };
  }

  private reject(execution: unknown, problem: string): void {
    this.rejected.inc();
    this.logger.warn(
      `rejected a malformed agent execution (${problem}): ${JSON.stringify(execution)?.slice(0, 500)}`,
    );
  }
}

/**
 * The log line of a successful step, derived here rather than shipped by the orchestrator: one
 * record per step on the hot path instead of two. It shares the execution's id, so a batch
 * delivered again writes it once. (Failures and retries are logged by the orchestrator itself.)
 */
export function completionLogEntry(execution: AgentExecution): LogEntry {
  return {
    id: execution.id,
    timestamp: execution.finishedAt,
    level: LogLevel.Info,
    workflowId: execution.workflowId,
    agent: execution.agent,
    message: `step ${execution.stepId} completed in ${execution.durationMs} ms`,
    metadata: {
      stepId: execution.stepId,
      attempt: execution.attempt,
      durationMs: execution.durationMs,
      ...(execution.traceId ? { traceId: execution.traceId, spanId: execution.spanId } : {}),
    },
  };
}

import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { METRICS_EXECUTIONS_QUEUE, MetricsExecutionJobName, RecordAgentExecutionsJob } from '@app/contracts';
import { Job } from 'bullmq';
import { DatabaseWriteFailures } from '../database-writes/database-write-failures.metrics';
import { AgentExecutionsService } from './agent-executions.service';

/** Consumes `metrics.agent-executions`: each job is a batch of step attempts from one orchestrator. */
@Processor(METRICS_EXECUTIONS_QUEUE, { concurrency: 2 })
export class AgentExecutionsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(AgentExecutionsProcessor.name);

  constructor(
    private readonly executions: AgentExecutionsService,
    private readonly writeFailures: DatabaseWriteFailures,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.on('failed', (job, error) => {
      this.writeFailures.count('agent_executions');
      this.logger.error(
        `execution batch ${job?.id ?? '?'} not written (attempt ${job?.attemptsMade ?? '?'}), will retry: ${error.message}`,
      );
    });
  }

  async process(job: Job<RecordAgentExecutionsJob, unknown, MetricsExecutionJobName>): Promise<unknown> {
    switch (job.name) {
      case MetricsExecutionJobName.RecordAgentExecutions:
        return this.executions.recordBatch(Array.isArray(job.data.executions) ? job.data.executions : []);
      default:
        throw new Error(`unknown job ${String(job.name satisfies never)} on ${METRICS_EXECUTIONS_QUEUE}`);
    }
  }
}

import { Module } from '@nestjs/common';
import { DatabaseWritesModule } from '../database-writes/database-writes.module';
import { LogsModule } from '../logs/logs.module';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { AGENT_EXECUTION_METRIC_PROVIDERS, AgentExecutionMetrics } from './agent-execution.metrics';
import { AgentExecutionsProcessor } from './agent-executions.processor';
import { AGENT_EXECUTIONS_REJECTED_METRIC, AgentExecutionsService } from './agent-executions.service';

@Module({
  imports: [DatabaseWritesModule, LogsModule],
  providers: [
    AgentExecutionsService,
    AgentExecutionsProcessor,
    AgentExecutionMetrics,
    ...AGENT_EXECUTION_METRIC_PROVIDERS,
    makeCounterProvider({
      name: AGENT_EXECUTIONS_REJECTED_METRIC,
      help: 'Malformed agent executions set aside',
    }),
  ],
})
export class AgentExecutionsModule {}

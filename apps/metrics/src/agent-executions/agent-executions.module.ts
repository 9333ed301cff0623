import { Module } from '@nestjs/common';
import { LogsModule } from '../logs/logs.module';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { AgentExecutionsProcessor } from './agent-executions.processor';
import { AGENT_EXECUTIONS_REJECTED_METRIC, AgentExecutionsService } from './agent-executions.service';

@Module({
  imports: [LogsModule],
  providers: [
    AgentExecutionsService,
    AgentExecutionsProcessor,
    makeCounterProvider({
      name: AGENT_EXECUTIONS_REJECTED_METRIC,
      help: 'Malformed agent executions set aside',
    }),
  ],
})
export class AgentExecutionsModule {}

import { Module } from '@nestjs/common';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { AgentExecutionsProcessor } from './agent-executions.processor';
import { AGENT_EXECUTIONS_REJECTED_METRIC, AgentExecutionsService } from './agent-executions.service';

@Module({
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

import { Module } from '@nestjs/common';
import { HttpAgentStoreModule } from '@app/http-agent-store';
import { AgentsModule } from '../agents/agents.module';
import { HttpAgentsHost } from './http-agents.host';

/** The registered HTTP agents, served by this orchestrator as they come and go. */
@Module({
  imports: [AgentsModule, HttpAgentStoreModule],
  providers: [HttpAgentsHost],
})
export class HttpAgentsModule {}

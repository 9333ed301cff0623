import { Module } from '@nestjs/common';
import { HttpAgentStoreModule } from '@app/http-agent-store';
import { HttpAgentsController } from './http-agents.controller';
import { HttpAgentsService } from './http-agents.service';

/** The admin API of HTTP agents: agents that are HTTP endpoints, in any language. */
@Module({
  imports: [HttpAgentStoreModule],
  controllers: [HttpAgentsController],
  providers: [HttpAgentsService],
})
export class HttpAgentsModule {}

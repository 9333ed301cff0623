import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AgentsService } from './agents.service';

@ApiTags('agents')
@ApiBearerAuth()
@Controller('workers')
export class WorkersController {
  constructor(private readonly agents: AgentsService) {}

  /** The agent workers: who serves which agents, alive or gone (kept an hour after they go). */
  @Get()
  list() {
    return this.agents.workers();
  }
}

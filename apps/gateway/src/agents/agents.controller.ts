import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AgentMetricsQuery } from '@app/contracts';
import { AgentsService } from './agents.service';

@ApiTags('agents')
@ApiBearerAuth()
@Controller('agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  /** Every agent version some worker registered, with its live workers and all-time figures. */
  @Get()
  list() {
    return this.agents.list();
  }

  /** Per agent and overall: counts, rates, durations (average, p50/p95/p99), over all time or [from, to). */
  @Get('metrics')
  metrics(@Query() query: AgentMetricsQuery) {
    return this.agents.metrics(query);
  }
}

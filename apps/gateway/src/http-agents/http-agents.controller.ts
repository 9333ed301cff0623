import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RegisterHttpAgentRequest } from '@app/contracts';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../docs/route-docs.decorators';
import { HttpAgentsService } from './http-agents.service';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/http-agents')
export class HttpAgentsController {
  constructor(private readonly httpAgents: HttpAgentsService) {}

  /** Registers an HTTP agent (or replaces the one of that name); a generated secret is shown in this answer only. */
  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiErrors({
    409: 'An agent of that name is served otherwise (built in, AGENT_MODULES, an agent service): the message names its workers.',
    422: 'The url is not http(s), holds credentials, does not resolve, or reaches a private address while HTTP_AGENTS_ALLOW_PRIVATE_NETWORKS is off.',
  })
  register(@Body() request: RegisterHttpAgentRequest) {
    return this.httpAgents.register(request);
  }

  /** The registered HTTP agents, by name, never their secrets. */
  @Get()
  list() {
    return this.httpAgents.list();
  }

  /** One HTTP agent, never its secret. */
  @Get(':name')
  @ApiErrors({ 404: 'No HTTP agent of that name.' })
  get(@Param('name') name: string) {
    return this.httpAgents.get(name);
  }

  /** Unregisters an HTTP agent. */
  @Delete(':name')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiErrors({ 404: 'No HTTP agent of that name.' })
  remove(@Param('name') name: string) {
    return this.httpAgents.remove(name);
  }
}

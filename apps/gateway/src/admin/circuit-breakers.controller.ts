import { Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../docs/route-docs.decorators';
import { CircuitBreakersService } from './circuit-breakers.service';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/breakers')
export class CircuitBreakersController {
  constructor(private readonly breakers: CircuitBreakersService) {}

  /** Every dependency's circuit breaker some worker has used: its state, failures, open-until and last transition. */
  @Get()
  list() {
    return this.breakers.list();
  }

  /** Closes a dependency's breaker for every worker at once (its probes and counts forgotten); answers its state. */
  @Post(':dependency/reset')
  @HttpCode(HttpStatus.OK)
  @ApiErrors({ 404: 'No worker has used a dependency of that name.' })
  reset(@Param('dependency') dependency: string) {
    return this.breakers.reset(dependency);
  }
}

import {
  BadRequestException,
  Controller,
  HttpCode,
  HttpStatus,
  Param,
  ParseEnumPipe,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiTags } from '@nestjs/swagger';
import { MAINTENANCE_JOB_BY_ROUTE, MaintenanceRoute } from '@app/contracts';
import { Roles } from '../auth/roles.decorator';
import { MaintenanceService } from './maintenance.service';

const ROUTES = Object.keys(MAINTENANCE_JOB_BY_ROUTE) as MaintenanceRoute[];
const maintenanceRoute = new ParseEnumPipe(Object.fromEntries(ROUTES.map((route) => [route, route])), {
  exceptionFactory: () => new BadRequestException(`job must be one of ${ROUTES.join(', ')}`),
});

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/maintenance')
export class MaintenanceController {
  constructor(private readonly maintenance: MaintenanceService) {}

  /** Runs a retention job now (logs, workflow-states or sessions); answers with the queued job's id. */
  @Post(':job')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiParam({ name: 'job', enum: ROUTES })
  trigger(@Param('job', maintenanceRoute) job: MaintenanceRoute) {
    return this.maintenance.trigger(job);
  }
}

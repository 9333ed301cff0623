import { Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../docs/route-docs.decorators';
import { QueuesService } from './queues.service';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/queues')
export class QueuesController {
  constructor(private readonly queues: QueuesService) {}

  /** The system's queues with their job counts. */
  @Get()
  list() {
    return this.queues.list();
  }

  /** Pauses a queue: workers finish running jobs and take no new ones. */
  @Post(':name/pause')
  @HttpCode(HttpStatus.OK)
  @ApiErrors({ 404: 'No such queue.' })
  pause(@Param('name') name: string) {
    return this.queues.pause(name);
  }

  /** Resumes a paused queue. */
  @Post(':name/resume')
  @HttpCode(HttpStatus.OK)
  @ApiErrors({ 404: 'No such queue.' })
  resume(@Param('name') name: string) {
    return this.queues.resume(name);
  }
}

import { Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { QueuesService } from './queues.service';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/queues')
export class QueuesController {
  constructor(private readonly queues: QueuesService) {}

  @Get()
  list() {
    return this.queues.list();
  }

  @Post(':name/pause')
  @HttpCode(HttpStatus.OK)
  pause(@Param('name') name: string) {
    return this.queues.pause(name);
  }

  @Post(':name/resume')
  @HttpCode(HttpStatus.OK)
  resume(@Param('name') name: string) {
    return this.queues.resume(name);
  }
}

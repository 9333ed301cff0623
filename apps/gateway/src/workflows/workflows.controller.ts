import {
  BadRequestException,
  Body,
  Controller,
  DefaultValuePipe,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  ParseIntPipe,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ListLogsQuery, ListWorkflowsQuery, StartWorkflowRequest } from '@app/contracts';
import { WorkflowsService } from './workflows.service';

const workflowId = new ParseUUIDPipe({
  exceptionFactory: () => new BadRequestException('workflow id must be a UUID'),
});
const eventId = new ParseIntPipe({
  exceptionFactory: () => new BadRequestException('after must be an event id (an integer)'),
});

function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw new BadRequestException('Idempotency-Key must be 1-200 printable ASCII characters');
  }
  return key;
}

@Controller('workflows')
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async start(@Body() request: StartWorkflowRequest, @Headers('idempotency-key') idempotencyKey?: string) {
    const { workflowId } = await this.workflows.start(request, checkIdempotencyKey(idempotencyKey));
    return { workflowId };
  }

  @Get()
  list(@Query() query: ListWorkflowsQuery) {
    return this.workflows.list(query);
  }

  @Get(':id')
  get(@Param('id', workflowId) id: string) {
    return this.workflows.get(id);
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  cancel(@Param('id', workflowId) id: string) {
    return this.workflows.cancel(id);
  }

  @Get(':id/logs')
  logs(@Param('id', workflowId) id: string, @Query() query: ListLogsQuery) {
    return this.workflows.logs(id, query);
  }

  @Get(':id/events')
  events(
    @Param('id', workflowId) id: string,
    @Query('after', new DefaultValuePipe(0), eventId) after: number,
  ) {
    return this.workflows.eventsAfter(id, after);
  }
}

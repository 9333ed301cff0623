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
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ListLogsQuery, ListWorkflowsQuery, StartWorkflowRequest } from '@app/contracts';
import { Caller } from '../auth/caller';
import { CurrentCaller } from '../auth/caller.decorator';
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

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('workflows')
export class WorkflowsController {
  constructor(private readonly workflows: WorkflowsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async start(
    @Body() request: StartWorkflowRequest,
    @CurrentCaller() caller: Caller,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    const { workflowId } = await this.workflows.start(request, caller, checkIdempotencyKey(idempotencyKey));
    return { workflowId };
  }

  @Get()
  list(@Query() query: ListWorkflowsQuery, @CurrentCaller() caller: Caller) {
    return this.workflows.list(query, caller);
  }

  @Get(':id')
  get(@Param('id', workflowId) id: string, @CurrentCaller() caller: Caller) {
    return this.workflows.get(id, caller);
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  cancel(@Param('id', workflowId) id: string, @CurrentCaller() caller: Caller) {
    return this.workflows.cancel(id, caller);
  }

  /** Resumes a FAILED workflow from the step that failed; completed steps are not run again. */
  @Post(':id/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  retry(@Param('id', workflowId) id: string, @CurrentCaller() caller: Caller) {
    return this.workflows.retry(id, caller);
  }

  /** A step's output in full (the state and events carry large outputs by reference). */
  @Get(':id/outputs/:stepId')
  output(
    @Param('id', workflowId) id: string,
    @Param('stepId') stepId: string,
    @CurrentCaller() caller: Caller,
  ) {
    return this.workflows.output(id, stepId, caller);
  }

  @Get(':id/logs')
  logs(@Param('id', workflowId) id: string, @Query() query: ListLogsQuery, @CurrentCaller() caller: Caller) {
    return this.workflows.logs(id, query, caller);
  }

  @Get(':id/events')
  events(
    @Param('id', workflowId) id: string,
    @Query('after', new DefaultValuePipe(0), eventId) after: number,
    @CurrentCaller() caller: Caller,
  ) {
    return this.workflows.eventsAfter(id, after, caller);
  }
}

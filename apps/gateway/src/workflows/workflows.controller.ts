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
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiHeader, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  ListLogsQuery,
  ListWorkflowsQuery,
  StartWorkflowRequest,
  StartWorkflowResponse,
  StepOutputResponse,
} from '@app/contracts';
import { Caller } from '../auth/caller';
import { CurrentCaller } from '../auth/caller.decorator';
import { ApiErrors, ApiExamples } from '../docs/route-docs.decorators';
import {
  CANCELLED_WORKFLOW_EXAMPLE,
  INVALID_INPUT_EXAMPLE,
  LOG_PAGE_EXAMPLE,
  START_WORKFLOW_EXAMPLE,
  STARTED_WORKFLOW_EXAMPLE,
  WORKFLOW_EXAMPLE,
  WORKFLOW_PAGE_EXAMPLE,
} from '../docs/openapi.examples';
import { WORKFLOW_EVENT_CLASSES, workflowEventSchema } from '../docs/workflow-event.schemas';
import { WORKFLOW_NOT_FOUND as NOT_FOUND, workflowIdPipe as workflowId } from './workflow-route.params';
import { WorkflowsService } from './workflows.service';

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

  /**
   * Starts a workflow: checks its input against the type's JSON Schema, records it, queues its
   * first steps and answers at once.
   */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiHeader({
    name: 'idempotency-key',
    required: false,
    description: 'The same key within 24 h answers with the first workflow instead of starting another.',
  })
  @ApiErrors({ 422: 'The input does not match the type’s JSON Schema; `errors` lists every wrong field.' })
  @ApiExamples({ request: START_WORKFLOW_EXAMPLE, 202: STARTED_WORKFLOW_EXAMPLE, 422: INVALID_INPUT_EXAMPLE })
  async start(
    @Body() request: StartWorkflowRequest,
    @CurrentCaller() caller: Caller,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<StartWorkflowResponse> {
    const { workflowId } = await this.workflows.start(request, caller, checkIdempotencyKey(idempotencyKey));
    return { workflowId };
  }

  /** Lists workflows, newest first: the caller's tenant's, or any tenant's for an admin key. */
  @Get()
  @ApiExamples({ 200: WORKFLOW_PAGE_EXAMPLE })
  @ApiErrors({ 403: 'A client key asked for another tenant’s workflows.' })
  list(@Query() query: ListWorkflowsQuery, @CurrentCaller() caller: Caller) {
    return this.workflows.list(query, caller);
  }

  /** A workflow's state: its status, steps, metrics and, once it completes, its result. */
  @Get(':id')
  @ApiExamples({ 200: WORKFLOW_EXAMPLE })
  @ApiErrors({ 404: NOT_FOUND })
  get(@Param('id', workflowId) id: string, @CurrentCaller() caller: Caller) {
    return this.workflows.get(id, caller);
  }

  /** Cancels a workflow: running steps are told to stop; it ends CANCELLED. */
  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiExamples({ 200: CANCELLED_WORKFLOW_EXAMPLE })
  @ApiErrors({ 404: NOT_FOUND, 409: 'The workflow has already ended.' })
  cancel(@Param('id', workflowId) id: string, @CurrentCaller() caller: Caller) {
    return this.workflows.cancel(id, caller);
  }

  /** Resumes a FAILED workflow from the step that failed; completed steps are not run again. */
  @Post(':id/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiErrors({ 404: NOT_FOUND, 409: 'The workflow is not FAILED.' })
  retry(@Param('id', workflowId) id: string, @CurrentCaller() caller: Caller) {
    return this.workflows.retry(id, caller);
  }

  /** A step's output in full (the state and events carry large outputs by reference). */
  @Get(':id/outputs/:stepId')
  @ApiErrors({ 404: `${NOT_FOUND} Or the step has no output (yet).` })
  output(
    @Param('id', workflowId) id: string,
    @Param('stepId') stepId: string,
    @CurrentCaller() caller: Caller,
  ): Promise<StepOutputResponse> {
    return this.workflows.output(id, stepId, caller);
  }

  /** A workflow's log entries, filtered, a page at a time (keyset pages: pass `nextCursor` as `cursor`). */
  @Get(':id/logs')
  @ApiExamples({ 200: LOG_PAGE_EXAMPLE })
  @ApiErrors({ 404: NOT_FOUND })
  logs(@Param('id', workflowId) id: string, @Query() query: ListLogsQuery, @CurrentCaller() caller: Caller) {
    return this.workflows.logs(id, query, caller);
  }

  /** A workflow's events after `after` (an event id), oldest first, as Socket.IO sends them. */
  @Get(':id/events')
  @ApiExtraModels(...Object.values(WORKFLOW_EVENT_CLASSES))
  @ApiOkResponse({ schema: { type: 'array', items: workflowEventSchema() } })
  @ApiQuery({
    name: 'after',
    required: false,
    type: 'integer',
    description: 'An event id; 0, the default, for all.',
  })
  @ApiErrors({ 404: NOT_FOUND })
  events(
    @Param('id', workflowId) id: string,
    @Query('after', new DefaultValuePipe(0), eventId) after: number,
    @CurrentCaller() caller: Caller,
  ) {
    return this.workflows.eventsAfter(id, after, caller);
  }
}

import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ReplayWorkflowRequest, ReplayWorkflowResponse, WorkflowDiffResponse } from '@app/contracts';
import { Caller } from '../auth/caller';
import { CurrentCaller } from '../auth/caller.decorator';
import { ApiErrors } from '../docs/route-docs.decorators';
import { WorkflowReplays } from './workflow-replays.service';
import { WORKFLOW_NOT_FOUND as NOT_FOUND, workflowIdPipe as workflowId } from './workflow-route.params';

/** Replaying a workflow from one of its steps, and comparing two runs. */
@ApiTags('workflows')
@ApiBearerAuth()
@Controller('workflows')
export class WorkflowReplaysController {
  constructor(private readonly replays: WorkflowReplays) {}

  /**
   * Starts a new workflow that replays this one from `fromStep`: the steps `fromStep` does not
   * lead to keep the outputs this one recorded (they are not run, nor counted in its metrics);
   * `fromStep` and every step after it run, with `input`'s fields replacing the original input's.
   * The new workflow's `replayOf` names this one.
   */
  @Post(':id/replay')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiErrors({
    404: NOT_FOUND,
    409: 'The workflow’s recorded outputs are no longer kept in Redis, or a step to reuse did not complete.',
    422: 'The merged input does not match the type’s JSON Schema; `errors` lists every wrong field.',
  })
  replay(
    @Param('id', workflowId) id: string,
    @Body() request: ReplayWorkflowRequest,
    @CurrentCaller() caller: Caller,
  ): Promise<ReplayWorkflowResponse> {
    return this.replays.replay(id, request, caller);
  }

  /** Compares two workflows step by step: whether each output changed, durations, tokens, reuse. */
  @Get(':id/diff/:otherId')
  @ApiErrors({ 404: NOT_FOUND })
  diff(
    @Param('id', workflowId) id: string,
    @Param('otherId', workflowId) otherId: string,
    @CurrentCaller() caller: Caller,
  ): Promise<WorkflowDiffResponse> {
    return this.replays.diff(id, otherId, caller);
  }
}

import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DecideApprovalRequest } from '@app/contracts';
import { Caller } from '../auth/caller';
import { CurrentCaller } from '../auth/caller.decorator';
import { ApiErrors } from '../docs/route-docs.decorators';
import { WorkflowControl } from './workflow-control.service';
import {
  WORKFLOW_NOT_FOUND as NOT_FOUND,
  checkStepId,
  workflowIdPipe as workflowId,
} from './workflow-route.params';

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('workflows')
export class WorkflowControlController {
  constructor(private readonly control: WorkflowControl) {}

  /**
   * Approves a waiting approval step: its output is `payload` (or `{ approved: true, by, comment }`),
   * its successors are queued and the workflow goes on. Admin keys, and client keys of its tenant.
   */
  @Post(':id/steps/:stepId/approve')
  @HttpCode(HttpStatus.OK)
  @ApiErrors({
    404: `${NOT_FOUND} Or it has no such step.`,
    409: 'The step is not an approval step, or is not waiting for a decision (decided already, or the workflow has ended).',
  })
  approve(
    @Param('id', workflowId) id: string,
    @Param('stepId') stepId: string,
    @Body() request: DecideApprovalRequest,
    @CurrentCaller() caller: Caller,
  ) {
    return this.control.approve(id, checkStepId(stepId), request, caller);
  }

  /** Rejects a waiting approval step: the workflow ends FAILED, its error naming the step and who rejected it. */
  @Post(':id/steps/:stepId/reject')
  @HttpCode(HttpStatus.OK)
  @ApiErrors({
    404: `${NOT_FOUND} Or it has no such step.`,
    409: 'The step is not an approval step, or is not waiting for a decision.',
  })
  reject(
    @Param('id', workflowId) id: string,
    @Param('stepId') stepId: string,
    @Body() request: DecideApprovalRequest,
    @CurrentCaller() caller: Caller,
  ) {
    return this.control.reject(id, checkStepId(stepId), request, caller);
  }

  /**
   * Pauses a workflow (PAUSED): no step starts until it is resumed; running steps finish and
   * record their outputs, and the steps after them are held.
   */
  @Post(':id/pause')
  @HttpCode(HttpStatus.OK)
  @ApiErrors({ 404: NOT_FOUND, 409: 'The workflow is not PENDING, RUNNING or WAITING.' })
  pause(@Param('id', workflowId) id: string, @CurrentCaller() caller: Caller) {
    return this.control.pause(id, caller);
  }

  /**
   * Resumes a PAUSED workflow: the steps the pause held are queued and it goes on. (A FAILED
   * workflow is resumed from its failed step by `POST /workflows/:id/retry`.)
   */
  @Post(':id/resume')
  @HttpCode(HttpStatus.OK)
  @ApiErrors({ 404: NOT_FOUND, 409: 'The workflow is not PAUSED.' })
  resume(@Param('id', workflowId) id: string, @CurrentCaller() caller: Caller) {
    return this.control.resume(id, caller);
  }
}

import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { BulkActionProgress, BulkActionRequest, BulkActionStarted } from '@app/contracts';
import { Caller } from '../auth/caller';
import { CurrentCaller } from '../auth/caller.decorator';
import { ApiErrors } from '../docs/route-docs.decorators';
import { BulkActionsService } from './bulk-actions.service';

const jobId = new ParseUUIDPipe({
  exceptionFactory: () => new BadRequestException('jobId must be the jobId of a bulk action (a UUID)'),
});

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('workflows/bulk')
export class BulkActionsController {
  constructor(private readonly bulkActions: BulkActionsService) {}

  /**
   * Cancels, retries or replays (from `fromStep`) the workflows a filter selects, or those named
   * by id, in the background; answers at once with the job to follow. Only workflows the caller
   * may see are acted on (a client key: its own tenant's).
   */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiErrors({ 403: 'A client key filtered on another tenant’s workflows.' })
  start(@Body() request: BulkActionRequest, @CurrentCaller() caller: Caller): Promise<BulkActionStarted> {
    return this.bulkActions.start(request, caller);
  }

  /** A bulk action's progress: how many workflows it selected, and how many succeeded, failed or were skipped. */
  @Get(':jobId')
  @ApiErrors({ 404: 'No such bulk action, or one another tenant started (answered alike).' })
  progress(@Param('jobId', jobId) id: string, @CurrentCaller() caller: Caller): Promise<BulkActionProgress> {
    return this.bulkActions.progress(id, caller);
  }
}

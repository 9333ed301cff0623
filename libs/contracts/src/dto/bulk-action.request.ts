import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEnum,
  IsOptional,
  IsUUID,
  Matches,
  ValidateNested,
} from 'class-validator';
import { WorkflowFilter } from './workflow-filter';
import { STEP_ID_PATTERN } from '../workflow-definition';

/** What a bulk action does to each workflow it selects. */
export enum BulkActionKind {
  /** Cancels each workflow that has not ended. */
  Cancel = 'cancel',
  /** Resumes each FAILED workflow from its failed steps. */
  Retry = 'retry',
  /** Starts a replay of each workflow from `fromStep` (see `POST /workflows/:id/replay`). */
  Replay = 'replay',
}

/** The most ids one bulk action may name. */
export const BULK_ACTION_MAX_IDS = 1000;

/**
 * Body of `POST /workflows/bulk`: an action and the workflows it applies to, by `filter` (the
 * filters of `GET /workflows`) or by `ids`, one of the two. Only workflows the caller may see are
 * acted on: a client key's own tenant's.
 */
export class BulkActionRequest {
  @IsEnum(BulkActionKind, { message: 'action must be one of cancel, retry, replay' })
  action!: BulkActionKind;

  @IsOptional()
  @ValidateNested()
  @Type(() => WorkflowFilter)
  filter?: WorkflowFilter;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BULK_ACTION_MAX_IDS)
  @IsUUID('all', { each: true, message: 'each of ids must be a workflow id (a UUID)' })
  ids?: string[];

  /** The step each replay starts from; required for `replay`, refused otherwise. */
  @IsOptional()
  @Matches(STEP_ID_PATTERN, { message: 'fromStep must be a step id (kebab-case)' })
  fromStep?: string;
}

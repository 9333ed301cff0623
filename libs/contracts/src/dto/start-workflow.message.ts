import { IsOptional, Matches } from 'class-validator';
import { StartWorkflowRequest } from './start-workflow.request';

/** Payload of the Socket.IO `workflow.start` event: the REST body, and the idempotency key REST takes as a header. */
export class StartWorkflowMessage extends StartWorkflowRequest {
  /** The same key within 24 h answers with the first workflow instead of starting another. */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,200}$/, { message: 'idempotencyKey must be 1-200 printable ASCII characters' })
  idempotencyKey?: string;
}

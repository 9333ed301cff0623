import { IsUUID, Matches } from 'class-validator';
import { DecideApprovalRequest } from './decide-approval.request';
import { STEP_ID_PATTERN } from '../workflow-definition';

/** Payload of the Socket.IO `workflow.approve` and `workflow.reject` events: the REST body, and where. */
export class DecideApprovalMessage extends DecideApprovalRequest {
  @IsUUID()
  workflowId!: string;

  /** The approval step waiting for the decision. */
  @Matches(STEP_ID_PATTERN, { message: 'stepId must be a step id (kebab-case)' })
  stepId!: string;
}

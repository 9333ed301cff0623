import { IsUUID } from 'class-validator';

/** Payload of the Socket.IO events that act on one workflow: `workflow.cancel`, `.pause`, `.resume`. */
export class WorkflowIdMessage {
  @IsUUID()
  workflowId!: string;
}

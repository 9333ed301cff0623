import { IsUUID } from 'class-validator';

/** Payload of the Socket.IO `workflow.cancel` event. */
export class CancelWorkflowMessage {
  @IsUUID()
  workflowId!: string;
}

import { IsInt, IsOptional, IsUUID, Min } from 'class-validator';

/** Payload of the Socket.IO `workflow.subscribe` and `workflow.unsubscribe` events. */
export class SubscribeWorkflowMessage {
  @IsUUID()
  workflowId!: string;

  /** Replay the events after this one before the live ones. */
  @IsOptional()
  @IsInt()
  @Min(0)
  lastEventId?: number;
}

import { Module } from '@nestjs/common';
import { WorkflowEventRelay } from './workflow-event-relay.service';
import { WorkflowEventsGateway } from './workflow-events.gateway';

@Module({ providers: [WorkflowEventsGateway, WorkflowEventRelay] })
export class RealtimeModule {}

import { Type } from '@nestjs/common';
import { ApiProperty, getSchemaPath, SchemaObject } from '@nestjs/swagger';
import {
  AgentStatusEvent,
  CompleteEvent,
  ErrorEvent,
  LogEvent,
  ProgressEvent,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowStatus,
} from '@app/contracts';

/** The class of each workflow event by the name it is sent under (its `type`). */
export const WORKFLOW_EVENT_CLASSES: {
  [K in WorkflowEventType]: Type<Extract<WorkflowEvent, { type: K }>>;
} = {
  [WorkflowEventType.Progress]: ProgressEvent,
  [WorkflowEventType.Log]: LogEvent,
  [WorkflowEventType.AgentStatus]: AgentStatusEvent,
  [WorkflowEventType.Complete]: CompleteEvent,
  [WorkflowEventType.Error]: ErrorEvent,
};

type IsSame<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

const COMPLETE_STATUSES = [WorkflowStatus.Completed, WorkflowStatus.Cancelled] as const;
const ERROR_STATUSES = [WorkflowStatus.Failed] as const;
// Compile-time checks that the lists are exactly the statuses the event classes allow.
const _completeStatusesAreExact: IsSame<(typeof COMPLETE_STATUSES)[number], CompleteEvent['status']> = true;
const _errorStatusesAreExact: IsSame<(typeof ERROR_STATUSES)[number], ErrorEvent['status']> = true;

/*
 * What the CLI plugin cannot read from the event classes, told to Swagger when this module loads
 * (as decorators are applied): each event's `type` is one literal, its name, and the statuses a
 * complete or error event can carry. The contracts stay free of Swagger decorators.
 */
for (const [name, eventClass] of Object.entries(WORKFLOW_EVENT_CLASSES)) {
  ApiProperty({ enum: [name], description: 'The event’s name, also the Socket.IO event it is sent as.' })(
    eventClass.prototype,
    'type',
  );
}
ApiProperty({ enum: [...COMPLETE_STATUSES] })(CompleteEvent.prototype, 'status');
ApiProperty({ enum: [...ERROR_STATUSES] })(ErrorEvent.prototype, 'status');

/** Any workflow event, told apart by `type`; its classes must be among the document's models. */
export function workflowEventSchema(): SchemaObject {
  const classes = Object.entries(WORKFLOW_EVENT_CLASSES);
  return {
    oneOf: classes.map(([, eventClass]) => ({ $ref: getSchemaPath(eventClass) })),
    discriminator: {
      propertyName: 'type',
      mapping: Object.fromEntries(classes.map(([name, eventClass]) => [name, getSchemaPath(eventClass)])),
    },
  };
}

import { INestApplication, Type } from '@nestjs/common';
import { DocumentBuilder, SchemaObject, SwaggerModule } from '@nestjs/swagger';
import {
  BulkActionProgress,
  ClientSocketEvent,
  DecideApprovalMessage,
  ServerSocketEvent,
  StartWorkflowMessage,
  StepTokensEvent,
  SubscribeWorkflowMessage,
  WatchRunsMessage,
  WorkflowEventType,
  WorkflowIdMessage,
  WorkflowSummary,
} from '@app/contracts';
import { RealtimeModule } from '../realtime/realtime.module';
import { API_VERSION } from './api-version';
import {
  PingAck,
  Pong,
  SocketErrorAck,
  SocketErrorMessage,
  StartWorkflowAck,
  UnsubscribeWorkflowAck,
  UnwatchRunsAck,
  WatchRunsAck,
  WorkflowStatusAck,
} from './socket-acks.dto';
import { WORKFLOW_EVENT_CLASSES } from './workflow-event.schemas';

/** An AsyncAPI 3.0 document, as JSON. */
export type AsyncApiDocument = Record<string, unknown> & { asyncapi: string };

interface ClientEventDocs {
  /** Operation and message id, e.g. `workflowStart`. */
  id: string;
  summary: string;
  description?: string;
  /** The payload's class; none for an event that takes none. */
  payload?: Type<unknown>;
  /** What the ack carries when the event succeeded (an error ack otherwise). */
  ack: Type<unknown>;
}

/** Every event a client may send, with what it answers; a new event does not compile without its entry. */
const CLIENT_EVENTS: { [K in ClientSocketEvent]: ClientEventDocs } = {
  [ClientSocketEvent.Start]: {
    id: 'workflowStart',
    summary: 'Start a workflow, and receive its events.',
    description:
      'The body of `POST /workflows` plus an optional `idempotencyKey` (the same key within 24 h answers with ' +
      'the first workflow). The input is checked against the type’s JSON Schema: `INVALID_INPUT` with every ' +
      'wrong field, and nothing recorded. The socket is subscribed to the new workflow from its first event.',
    payload: StartWorkflowMessage,
    ack: StartWorkflowAck,
  },
  [ClientSocketEvent.Subscribe]: {
    id: 'workflowSubscribe',
    summary: 'Receive a workflow’s events.',
    description:
      'With `lastEventId`, the events after that one are sent first, then the live ones: no gap, no duplicate ' +
      '(send the last `eventId` received to resume after a reconnection). Another tenant’s workflow is ' +
      '`NOT_FOUND`, as one that does not exist.',
    payload: SubscribeWorkflowMessage,
    ack: WorkflowStatusAck,
  },
  [ClientSocketEvent.Unsubscribe]: {
    id: 'workflowUnsubscribe',
    summary: 'Stop receiving a workflow’s events.',
    payload: SubscribeWorkflowMessage,
    ack: UnsubscribeWorkflowAck,
  },
  [ClientSocketEvent.Cancel]: {
    id: 'workflowCancel',
    summary: 'Cancel a workflow.',
    description:
      'Running steps are told to stop; the workflow ends CANCELLED (a `complete` event). A workflow that has ' +
      'already ended is `CONFLICT`.',
    payload: WorkflowIdMessage,
    ack: WorkflowStatusAck,
  },
  [ClientSocketEvent.Approve]: {
    id: 'workflowApprove',
    summary: 'Approve a waiting approval step.',
    description:
      'As `POST /workflows/:id/steps/:stepId/approve`: `payload` (or `{ approved: true, by, comment }`) becomes ' +
      'the step’s output and the workflow goes on. A step not waiting for a decision (decided already, or a ' +
      'workflow that has ended) is `CONFLICT`; another tenant’s workflow `NOT_FOUND`.',
    payload: DecideApprovalMessage,
    ack: WorkflowStatusAck,
  },
  [ClientSocketEvent.Reject]: {
    id: 'workflowReject',
    summary: 'Reject a waiting approval step: the workflow ends FAILED.',
    description:
      'As `POST /workflows/:id/steps/:stepId/reject`: its error names the step, who rejected it and the ' +
      '`comment`. A rejection takes no `payload`.',
    payload: DecideApprovalMessage,
    ack: WorkflowStatusAck,
  },
  [ClientSocketEvent.Pause]: {
    id: 'workflowPause',
    summary: 'Pause a workflow: no step starts until it is resumed.',
    description:
      'Running steps finish and record their outputs; the steps after them are held. A workflow that is not ' +
      'PENDING, RUNNING or WAITING is `CONFLICT`.',
    payload: WorkflowIdMessage,
    ack: WorkflowStatusAck,
  },
  [ClientSocketEvent.Resume]: {
    id: 'workflowResume',
    summary: 'Resume a PAUSED workflow: the steps its pause held are queued.',
    description: 'A workflow that is not PAUSED is `CONFLICT` (a FAILED one is retried over REST).',
    payload: WorkflowIdMessage,
    ack: WorkflowStatusAck,
  },
  [ClientSocketEvent.WatchRuns]: {
    id: 'runsWatch',
    summary: 'Receive a `run` event whenever a workflow starts, changes status or ends.',
    description:
      'A client key watches its own tenant’s runs (naming another tenant is `FORBIDDEN`); an admin key watches ' +
      'every tenant’s, or the one `tenantId` names. Watching again replaces the earlier choice. The events come ' +
      'from the same projection `GET /workflows` lists, a moment after the change.',
    payload: WatchRunsMessage,
    ack: WatchRunsAck,
  },
  [ClientSocketEvent.UnwatchRuns]: {
    id: 'runsUnwatch',
    summary: 'Stop receiving `run` events.',
    ack: UnwatchRunsAck,
  },
  [ClientSocketEvent.Ping]: {
    id: 'ping',
    summary: 'Check the connection; answered by the ack and a `pong` event.',
    ack: PingAck,
  },
};

/** Every event the server sends besides the workflow events, with its payloads. */
const SERVER_EVENTS: { [K in ServerSocketEvent]: { summary: string; payloads: Type<unknown>[] } } = {
  [ServerSocketEvent.Pong]: { summary: 'The answer to `ping`.', payloads: [Pong] },
  [ServerSocketEvent.Run]: {
    summary: 'A watched run changed: the workflow’s summary as `GET /workflows` lists it.',
    payloads: [WorkflowSummary],
  },
  [ServerSocketEvent.BulkProgress]: {
    summary:
      'How far a bulk action (`POST /workflows/bulk`) has come, sent to every socket of the API key that ' +
      'started it: after the selection, after each batch of workflows, and when it ends.',
    payloads: [BulkActionProgress],
  },
  [ServerSocketEvent.StepTokens]: {
    summary:
      'A piece of a step’s streamed language-model answer, live to the workflow’s subscribers, numbered by ' +
      '`sequence` per step attempt. Not kept in the event log and not sent again after a reconnect: the ' +
      'step’s output holds the whole answer.',
    payloads: [StepTokensEvent],
  },
  [ServerSocketEvent.Error]: {
    summary:
      'Either a workflow FAILED (a workflow event, with `type: "error"`), or the server could not act on a ' +
      'client message (`{ error }`, also in the message’s ack). The connection stays open.',
    payloads: [WORKFLOW_EVENT_CLASSES[WorkflowEventType.Error], SocketErrorMessage],
  },
};

const WORKFLOW_EVENT_SUMMARIES: { [K in WorkflowEventType]: string } = {
  [WorkflowEventType.Progress]: 'How far a subscribed workflow has come.',
  [WorkflowEventType.Log]: 'A log line of a subscribed workflow.',
  [WorkflowEventType.AgentStatus]: 'A step of a subscribed workflow changed lifecycle.',
  [WorkflowEventType.Complete]: 'A subscribed workflow COMPLETED or was CANCELLED.',
  [WorkflowEventType.Error]: SERVER_EVENTS[ServerSocketEvent.Error].summary,
};

/**
 * The gateway's Socket.IO protocol as an AsyncAPI 3.0 document, served at `/docs/asyncapi.json`.
 * Event names come from the contracts' enums; payload schemas are generated by Swagger from the
 * same classes (and plugin metadata) as the OpenAPI document, then turned into JSON Schema.
 */
export function buildAsyncApiDocument(app: INestApplication): AsyncApiDocument {
  const payloadClasses = [
    ...Object.values(CLIENT_EVENTS).flatMap(({ payload, ack }) => (payload ? [payload, ack] : [ack])),
    SocketErrorAck,
    ...Object.values(WORKFLOW_EVENT_CLASSES),
    ...Object.values(SERVER_EVENTS).flatMap(({ payloads }) => payloads),
  ];
  const { components } = SwaggerModule.createDocument(app, new DocumentBuilder().build(), {
    include: [RealtimeModule],
    extraModels: payloadClasses,
  });
  const schemas = Object.fromEntries(
    Object.entries(components?.schemas ?? {}).map(([name, schema]) => [name, toJsonSchema(schema)]),
  );

  const schemaOf = (type: Type<unknown>) => ({ $ref: `#/components/schemas/${type.name}` });
  const messages: Record<string, object> = {};
  const operations: Record<string, object> = {};
  const channel = { $ref: '#/channels/socket' };
  const channelMessage = (id: string) => ({ $ref: `#/channels/socket/messages/${id}` });

  for (const [event, docs] of Object.entries(CLIENT_EVENTS)) {
    messages[docs.id] = {
      name: event,
      title: event,
      summary: docs.summary,
      ...(docs.payload ? { payload: schemaOf(docs.payload) } : {}),
    };
    messages[`${docs.id}Ack`] = {
      name: `${event} ack`,
      title: `${event} ack`,
      summary: `The acknowledgement of \`${event}\`: \`ok: true\` and the answer, or \`ok: false\` and the error.`,
      payload: { oneOf: [schemaOf(docs.ack), schemaOf(SocketErrorAck)] },
    };
    operations[docs.id] = {
      action: 'receive',
      channel,
      title: event,
      summary: docs.summary,
      ...(docs.description ? { description: docs.description } : {}),
      messages: [channelMessage(docs.id)],
      reply: { channel, messages: [channelMessage(`${docs.id}Ack`)] },
    };
  }
  // Message ids of server events are their names; `error` carries a workflow event or a socket error.
  for (const [event, eventClass] of Object.entries(WORKFLOW_EVENT_CLASSES)) {
    const summary = WORKFLOW_EVENT_SUMMARIES[event as WorkflowEventType];
    messages[event] = { name: event, title: event, summary, payload: schemaOf(eventClass) };
  }
  for (const [event, { summary, payloads }] of Object.entries(SERVER_EVENTS)) {
    const payload = payloads.length === 1 ? schemaOf(payloads[0]) : { oneOf: payloads.map(schemaOf) };
    messages[event] = { name: event, title: event, summary, payload };
  }
  for (const event of new Set<string>([
    ...Object.values(WorkflowEventType),
    ...Object.values(ServerSocketEvent),
  ]))
    operations[`send_${event}`] = {
      action: 'send',
      channel,
      title: event,
      messages: [channelMessage(event)],
    };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Agent orchestrator gateway: Socket.IO',
      version: API_VERSION,
      description:
        'Start, watch and cancel workflows live. Socket.IO 4 on the gateway’s HTTP port (path `/socket.io`), ' +
        'default namespace. Connect with `io(url, { auth: { token: <API key> } })`; without a valid key the ' +
        'connection is refused with a `connect_error` whose `data` is `{ code: "UNAUTHORIZED" }`. A gateway ' +
        'that is shutting down closes its sockets itself (reason `io server disconnect`) and refuses new ones ' +
        'with `{ code: "SHUTTING_DOWN" }`: Socket.IO retries neither, so connect again after a second and ' +
        'subscribe with your last `eventId`. Every client ' +
        'event is answered through its acknowledgement (pass a callback, or `emitWithAck`): `{ ok: true, ... }`, ' +
        'or `{ ok: false, error: { code, message } }` together with an `error` event (codes: SocketError). ' +
        'A client receives the workflow events of the workflows it subscribed to (or ' +
        'started on this socket), in `eventId` order, each under its `type` as event name. The REST API is ' +
        'described at `/docs` (OpenAPI at `/docs-json`).',
    },
    defaultContentType: 'application/json',
    servers: {
      gateway: {
        host: '{host}',
        protocol: 'ws',
        pathname: '/socket.io',
        title: 'The gateway',
        description: 'Socket.IO (Engine.IO 4, WebSocket or HTTP long-polling) on the REST API’s address.',
        variables: { host: { default: 'localhost:3000', description: 'The gateway’s host and port.' } },
        security: [{ $ref: '#/components/securitySchemes/apiKey' }],
      },
    },
    channels: {
      socket: {
        address: '/',
        title: 'The default namespace',
        description: 'Every event travels on the connection itself; Socket.IO rooms route workflow events.',
        servers: [{ $ref: '#/servers/gateway' }],
        messages: Object.fromEntries(
          Object.keys(messages).map((id) => [id, { $ref: `#/components/messages/${id}` }]),
        ),
      },
    },
    operations,
    components: {
      schemas,
      messages,
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key (`ao_<id>_<secret>`) in the handshake: `auth: { token: <key> }`, or an ' +
            '`Authorization: Bearer <key>` header where the client can set one.',
        },
      },
    },
  };
}

/**
 * An OpenAPI 3.0 schema as JSON Schema (draft 07, which AsyncAPI's schema format extends):
 * `nullable` becomes a `null` type, `example` becomes `examples`, references stay (the schemas
 * keep their names under `components.schemas`).
 */
export function toJsonSchema(schema: SchemaObject | { $ref: string }): Record<string, unknown> {
  if ('$ref' in schema) return { $ref: schema.$ref };
  const {
    nullable,
    example,
    discriminator,
    properties,
    items,
    additionalProperties,
    allOf,
    oneOf,
    anyOf,
    ...rest
  } = schema;
  const converted: Record<string, unknown> = { ...rest };
  if (example !== undefined) converted.examples = [example];
  if (discriminator) converted.discriminator = discriminator.propertyName;
  if (properties)
    converted.properties = Object.fromEntries(
      Object.entries(properties).map(([name, property]) => [name, toJsonSchema(property)]),
    );
  if (items) converted.items = toJsonSchema(items);
  if (typeof additionalProperties === 'object')
    converted.additionalProperties = toJsonSchema(additionalProperties);
  else if (additionalProperties !== undefined) converted.additionalProperties = additionalProperties;
  for (const [key, list] of Object.entries({ allOf, oneOf, anyOf })) {
    if (list) converted[key] = list.map(toJsonSchema);
  }
  if (!nullable) return converted;
  if (typeof converted.type === 'string') {
    converted.type = [converted.type, 'null'];
    if (Array.isArray(converted.enum)) converted.enum = [...(converted.enum as unknown[]), null];
    return converted;
  }
  return { oneOf: [converted, { type: 'null' }] };
}

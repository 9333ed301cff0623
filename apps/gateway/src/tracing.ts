// main.ts's first import: tracing must start before http, express, Socket.IO, ioredis and pg load.
import 'reflect-metadata';
import { ServerSocketEvent, WorkflowEventType } from '@app/contracts';
import { startTracing } from '@app/observability/tracing';

// Socket.IO's instrumentation would make each relayed emit a trace of its own, tied to nothing:
// the relay makes one span per message instead, linked to the workflow's trace.
startTracing({
  service: 'gateway',
  untracedSocketEmits: [...Object.values(WorkflowEventType), ...Object.values(ServerSocketEvent)],
});

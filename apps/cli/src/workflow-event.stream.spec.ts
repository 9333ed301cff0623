import {
  ClientSocketEvent,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowStatus,
  emptyWorkflowMetrics,
} from '@app/contracts';
import { AddressInfo, createServer } from 'node:net';
import { Server } from 'socket.io';
import { CliError, ExitCode } from './cli-error';
import { WorkflowEventStream, endsFrom } from './workflow-event.stream';

const base = (eventId: number) => ({ workflowId: 'w', eventId, timestamp: '2026-01-01T00:00:00.000Z' });
const progress = (eventId: number, status = WorkflowStatus.Running): WorkflowEvent => ({
  ...base(eventId),
  type: WorkflowEventType.Progress,
  status,
  completedSteps: 0,
  totalSteps: 1,
  percent: 0,
});
const failed = (eventId: number): WorkflowEvent => ({
  ...base(eventId),
  type: WorkflowEventType.Error,
  status: WorkflowStatus.Failed,
  message: 'boom',
  stepId: 'a',
  metrics: emptyWorkflowMetrics(),
});
const completed = (eventId: number): WorkflowEvent => ({
  ...base(eventId),
  type: WorkflowEventType.Complete,
  status: WorkflowStatus.Completed,
  result: {},
  metrics: emptyWorkflowMetrics(),
});

describe('endsFrom: which end event ends a stream', () => {
  it('any, for a workflow that has not ended', () => {
    expect(endsFrom([])).toBe(0);
    expect(endsFrom([progress(1)])).toBe(0);
  });

  it('its last event, for a workflow that has ended (after a retry too)', () => {
    expect(endsFrom([progress(1), failed(2)])).toBe(2);
    expect(endsFrom([progress(1), failed(2), progress(3), completed(4)])).toBe(4);
    // The FAILED status's own progress event may follow the error event.
    expect(endsFrom([progress(1), failed(2), progress(3, WorkflowStatus.Failed)])).toBe(2);
  });

  it('only a later one, for a failed workflow that was retried and runs again', () => {
    expect(endsFrom([progress(1), failed(2), progress(3)])).toBe(3);
  });
});

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('WorkflowEventStream: a gateway that is not there when the stream connects', () => {
  let gateway: Server | null = null;
  afterEach(async () => {
    await gateway?.close();
    gateway = null;
  });

  it('says it reconnects, keeps trying, and follows the workflow once the gateway is back', async () => {
    const port = await freePort();
    const stream = new WorkflowEventStream({ url: `http://127.0.0.1:${port}`, key: 'k' }, 'w');
    const changes: boolean[] = [];
    let firstFailure!: () => void;
    const failedOnce = new Promise<void>((resolve) => (firstFailure = resolve));
    const ended = stream.follow({
      onEvent: () => undefined,
      onConnectionChange: (isReconnecting) => {
        changes.push(isReconnecting);
        if (isReconnecting) firstFailure();
      },
    });
    await failedOnce;

    gateway = new Server(port, { transports: ['websocket'] });
    gateway.on('connection', (socket) =>
      socket.on(ClientSocketEvent.Subscribe, (_message, ack: (answer: unknown) => void) => {
        ack({ ok: true, status: WorkflowStatus.Running });
        setTimeout(() => socket.emit(WorkflowEventType.Complete, completed(1)), 50);
      }),
    );

    await expect(ended).resolves.toMatchObject({ type: WorkflowEventType.Complete, eventId: 1 });
    expect(changes).toEqual([true, false]);
  });

  it('gives up with "cannot reach the gateway" once it stays away for longer than allowed', async () => {
    const port = await freePort();
    const stream = new WorkflowEventStream({ url: `http://127.0.0.1:${port}`, key: 'k' }, 'w', 0, 300);
    const ended = stream.follow({ onEvent: () => undefined });
    const error = await ended.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: ExitCode.Unreachable });
    expect((error as Error).message).toMatch(/cannot reach the gateway at http:\/\/127\.0\.0\.1:\d+/);
  });
});

import type { WorkflowEvent, WorkflowState } from '../api/types';
import type { ApiClient } from '../api/api-client';
import type { LiveConnection } from './live-connection';
import { WorkflowFeed } from './workflow-feed';

// @preact/signals is an ES module, for the browser; its core (the part the feed uses) loads here.
jest.mock('@preact/signals', () => jest.requireActual('@preact/signals-core'));

const WORKFLOW_ID = 'wf-1';

function progress(eventId: number, status: WorkflowState['status']): WorkflowEvent {
  return {
    type: 'progress',
    workflowId: WORKFLOW_ID,
    eventId,
    timestamp: new Date(eventId * 1000).toISOString(),
    status,
    completedSteps: status === 'COMPLETED' ? 1 : 0,
    totalSteps: 1,
  } as WorkflowEvent;
}

function stateAt(lastEventId: number, status: WorkflowState['status']): WorkflowState {
  return {
    workflowId: WORKFLOW_ID,
    status,
    lastEventId,
    steps: [],
    completedSteps: 0,
    totalSteps: 1,
  } as unknown as WorkflowState;
}

/** A socket the spec sends events through, and a REST API answering from a log the spec writes. */
function feedOver(log: WorkflowEvent[], snapshots: (() => WorkflowState)[]) {
  const handlers = new Map<string, (payload: unknown) => void>();
  const live = {
    isConnected: false,
    on: (type: string, handler: (payload: unknown) => void) => {
      handlers.set(type, handler);
      return () => handlers.delete(type);
    },
    onConnect: () => () => undefined,
    request: () => Promise.resolve({ ok: true }),
  } as unknown as LiveConnection;
  let onEventsRead: () => void = () => undefined;
  const api = {
    workflow: () => Promise.resolve(snapshots.shift()!()),
    events: (_id: string, after: number) => {
      onEventsRead();
      return Promise.resolve(log.filter((event) => event.eventId > after));
    },
    logs: () => Promise.resolve({ items: [] }),
  } as unknown as ApiClient;
  return {
    feed: new WorkflowFeed(WORKFLOW_ID, api, live),
    send: (event: WorkflowEvent) => handlers.get(event.type)!(event),
    whileEventsAreRead: (action: () => void) => (onEventsRead = action),
  };
}

describe('WorkflowFeed', () => {
  it('keeps the state that events brought while a refresh read an older one', async () => {
    const log = [progress(1, 'RUNNING')];
    const { feed, send, whileEventsAreRead } = feedOver(log, [
      () => stateAt(1, 'RUNNING'),
      () => stateAt(1, 'RUNNING'),
    ]);
    await feed.open();

    // The refresh reads the state at event 1; before it reads the events, the workflow ends and
    // the socket brings that.
    whileEventsAreRead(() => {
      whileEventsAreRead(() => undefined);
      log.push(progress(2, 'COMPLETED'));
      send(progress(2, 'COMPLETED'));
    });
    await feed.refresh();

    expect(feed.state.value?.status).toBe('COMPLETED');
    expect(feed.events.value.map((event) => event.eventId)).toEqual([1, 2]);
  });

  it('takes a refreshed state that is newer than its events', async () => {
    const log = [progress(1, 'RUNNING')];
    const { feed } = feedOver(log, [() => stateAt(1, 'RUNNING'), () => stateAt(2, 'CANCELLED')]);
    await feed.open();
    log.push(progress(2, 'CANCELLED'));

    await feed.refresh();

    expect(feed.state.value?.status).toBe('CANCELLED');
  });
});

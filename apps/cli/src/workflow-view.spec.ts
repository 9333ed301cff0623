import {
  AgentLifecycle,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowState,
  WorkflowStatus,
  emptyWorkflowMetrics,
} from '@app/contracts';
import { table } from './output';
import { WorkflowView, formatDuration, siteAddress } from './workflow-view';

const step = (stepId: string, dependsOn: string[] = []) => ({
  stepId,
  agent: 'echo',
  dependsOn,
  lifecycle: AgentLifecycle.Registered,
  attempts: 0,
  startedAt: null,
  finishedAt: null,
  error: null,
  waitingFor: null,
});

const state = (): WorkflowState => ({
  workflowId: 'w',
  type: 'DIAMOND',
  status: WorkflowStatus.Running,
  sessionId: 's',
  tenantId: 't',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  error: null,
  input: {},
  preferences: {},
  // Listed out of order: the view orders them by depth.
  steps: [step('d', ['b', 'c']), step('b', ['a']), step('a'), step('c', ['a'])],
  metrics: emptyWorkflowMetrics(),
  result: null,
});

let eventId = 0;
const status = (stepId: string, lifecycle: AgentLifecycle, at: number, attempt = 1): WorkflowEvent => ({
  type: WorkflowEventType.AgentStatus,
  workflowId: 'w',
  eventId: ++eventId,
  timestamp: new Date(at).toISOString(),
  stepId,
  agent: 'echo',
  lifecycle,
  attempt,
  error: lifecycle === AgentLifecycle.Failed ? 'reset' : null,
});

describe('WorkflowView', () => {
  it('orders the steps by their depth in the graph', () => {
    const view = new WorkflowView(state());
    expect(view.steps.map((row) => [row.stepId, row.depth])).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 1],
      ['d', 2],
    ]);
  });

  it('follows a step through a failed attempt and its retry: attempts, and time from the first start', () => {
    const view = new WorkflowView(state());
    view.apply(status('a', AgentLifecycle.Executing, 1_000));
    view.apply(status('a', AgentLifecycle.Failed, 2_000));
    view.apply(status('a', AgentLifecycle.Executing, 3_000, 2));
    const a = () => view.steps[0];
    expect(a()).toMatchObject({ lifecycle: AgentLifecycle.Executing, attempts: 2, finishedAt: null });
    expect(view.durationOf(a(), 4_000)).toBe(3_000);
    view.apply(status('a', AgentLifecycle.Completed, 5_500, 2));
    expect(a()).toMatchObject({ lifecycle: AgentLifecycle.Completed, error: null });
    expect(view.durationOf(a(), 99_000)).toBe(4_500);
  });

  it('takes the status, the result and the error from the workflow’s events', () => {
    const view = new WorkflowView(state());
    view.apply({
      type: WorkflowEventType.Complete,
      workflowId: 'w',
      eventId: ++eventId,
      timestamp: new Date().toISOString(),
      status: WorkflowStatus.Completed,
      result: { deploy: { siteId: 'x', path: '/sites/x/' } },
      metrics: emptyWorkflowMetrics(),
    });
    expect([view.status, view.percent]).toEqual([WorkflowStatus.Completed, 100]);
    expect(siteAddress(view.result, 'http://gateway:3000')).toBe('http://gateway:3000/sites/x/');
  });
});

describe('formatDuration and table', () => {
  it('shows seconds with a tenth under a minute, then minutes and seconds', () => {
    expect([formatDuration(1_234), formatDuration(184_000), formatDuration(null)]).toEqual([
      '1.2s',
      '3m04s',
      '',
    ]);
  });

  it('pads every column but the last to its widest cell, under an upper-case header', () => {
    const rows = table({ id: (row: { id: string; note: string }) => row.id, note: (row) => row.note }, [
      { id: 'a', note: 'x' },
      { id: 'long', note: '' },
    ]);
    expect(rows).toEqual(['ID    NOTE', 'a     x', 'long']);
  });
});

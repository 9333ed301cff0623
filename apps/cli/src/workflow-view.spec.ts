import {
  AgentLifecycle,
  LogLevel,
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
  llmCalls: 0,
  llmTokens: 0,
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
  traceId: null,
  // Listed out of order: the view orders them by depth.
  steps: [step('d', ['b', 'c']), step('b', ['a']), step('a'), step('c', ['a'])],
  metrics: emptyWorkflowMetrics(),
  result: null,
  completedSteps: 0,
  totalSteps: 4,
  lastEventId: 0,
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

  it('marks the steps a quality loop sent back (b checks a: a and b) with their iteration, from the state and live', () => {
    const looped = state();
    looped.steps.find((one) => one.stepId === 'a')!.iteration = { current: 2, max: 3 };
    const view = new WorkflowView(looped);
    expect(view.steps.map((row) => row.iteration)).toEqual(['2/3', null, null, null]);
    view.apply({
      type: WorkflowEventType.Log,
      workflowId: 'w',
      eventId: ++eventId,
      timestamp: new Date(1_000).toISOString(),
      level: LogLevel.Warning,
      message: 'b sent the work back to a (iteration 3 of 3): 1 finding',
      stepId: 'b',
      agent: 'echo',
      logId: null,
      metadata: { iteration: 3, maxIterations: 3, target: 'a', feedback: 'x' },
    });
    expect(view.steps.map((row) => [row.stepId, row.iteration])).toEqual([
      ['a', '3/3'],
      ['b', '3/3'],
      ['c', null],
      ['d', null],
    ]);
    expect(view.lastLog).toBe('[b] b sent the work back to a (iteration 3 of 3): 1 finding');
  });

  it('leaves a fan-out step’s lifecycle to its own events, not to those of its sub-steps', () => {
    const view = new WorkflowView(state());
    view.apply(status('a', AgentLifecycle.Executing, 1_000));
    view.apply({ ...status('a', AgentLifecycle.Completed, 2_000), item: 3 } as WorkflowEvent);
    expect(view.steps[0]).toMatchObject({ lifecycle: AgentLifecycle.Executing, finishedAt: null });
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

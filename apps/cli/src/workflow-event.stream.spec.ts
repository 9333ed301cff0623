import { WorkflowEvent, WorkflowEventType, WorkflowStatus, emptyWorkflowMetrics } from '@app/contracts';
import { endsFrom } from './workflow-event.stream';

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

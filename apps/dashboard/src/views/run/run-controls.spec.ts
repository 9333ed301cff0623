import type { AgentLifecycle, StepState, WorkflowStatus } from '../../api/types';
import { controlsOf } from './run-controls';

const step = (stepId: string, lifecycle: AgentLifecycle, waitingFor: string | null = null) =>
  ({ stepId, lifecycle, waitingFor }) as StepState;

describe("a run's controls", () => {
  it.each<[WorkflowStatus, boolean, boolean]>([
    ['PENDING', true, false],
    ['RUNNING', true, false],
    ['WAITING', true, false],
    ['PAUSED', false, true],
    ['COMPLETED', false, false],
    ['CANCELLED', false, false],
  ])('%s: pause %s, resume %s', (status, canPause, canResume) => {
    expect(controlsOf({ status, steps: [] })).toMatchObject({ canPause, canResume });
  });

  it('offers a decision on each approval step waiting for one, and none once the run has ended', () => {
    const steps = [
      step('plan', 'COMPLETED'),
      step('approve', 'READY', 'approval'),
      step('build', 'READY', 'no live worker serves builder@1'),
      step('later', 'REGISTERED'),
    ];
    expect(controlsOf({ status: 'WAITING', steps }).awaitingApproval).toEqual(['approve']);
    expect(controlsOf({ status: 'CANCELLED', steps }).awaitingApproval).toEqual([]);
  });
});

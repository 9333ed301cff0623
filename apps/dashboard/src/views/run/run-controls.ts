import { APPROVAL_WAITING_REASON, TERMINAL_STATUSES, type WorkflowState } from '../../api/types';

/** The controls a run's header offers a person, from its state alone (no DOM). */
export interface RunControls {
  canPause: boolean;
  canResume: boolean;
  /** The approval steps waiting for a decision. */
  awaitingApproval: string[];
}

export function controlsOf(state: Pick<WorkflowState, 'status' | 'steps'>): RunControls {
  const isOpen = !TERMINAL_STATUSES.includes(state.status);
  return {
    canPause: state.status === 'PENDING' || state.status === 'RUNNING' || state.status === 'WAITING',
    canResume: state.status === 'PAUSED',
    awaitingApproval: isOpen
      ? state.steps
          .filter((step) => step.lifecycle === 'READY' && step.waitingFor === APPROVAL_WAITING_REASON)
          .map((step) => step.stepId)
      : [],
  };
}

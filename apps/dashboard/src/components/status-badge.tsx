import type { WorkflowStatus } from '../api/types';

// Symbols the system fonts carry (Chromium drew '⏸︎' as an empty box).
const ICONS: Record<WorkflowStatus, string> = {
  PENDING: '○',
  RUNNING: '◐',
  WAITING: '…',
  PAUSED: '‖',
  COMPLETED: '✓',
  FAILED: '✕',
  CANCELLED: '⊘',
};

/** A workflow's status: a word and a symbol, never colour alone. */
export function StatusBadge({ status, testId }: { status: WorkflowStatus; testId?: string }) {
  return (
    <span class={`badge status-${status.toLowerCase()}`} data-testid={testId} data-status={status}>
      <span aria-hidden="true">{ICONS[status]}</span> {status}
    </span>
  );
}

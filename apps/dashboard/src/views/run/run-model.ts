import type {
  AgentLifecycle,
  AgentStatusEvent,
  StepState,
  SubStepState,
  WorkflowEvent,
  WorkflowState,
  WorkflowStatus,
} from '../../api/types';
// The one definition of a step's depth, shared with the CLI's view (a file without imports).
import { revisionOf, revisionStepsOf } from '../../../../../libs/contracts/src/revision-steps';
import { depthsOf } from '../../../../../libs/contracts/src/step-depths';

/*
 * Pure functions over a workflow's state and events: the graph's layout, the state after an
 * event, the waterfall's bars and the published site's address. No signals, no DOM.
 */

/** What a node shows: the server's lifecycle, with a retry and a cancelled run told apart. */
export type StepDisplay = AgentLifecycle | 'RETRYING' | 'CANCELLED';

export function displayOf(step: StepState, workflowStatus: WorkflowStatus): StepDisplay {
  const isOpen = step.lifecycle !== 'COMPLETED' && step.lifecycle !== 'FAILED';
  if (workflowStatus === 'CANCELLED' && isOpen) return 'CANCELLED';
  // A failed attempt that will be retried puts the step back to READY with its error kept.
  if (step.lifecycle === 'READY' && step.attempts > 0 && step.error) return 'RETRYING';
  return step.lifecycle;
}

export const DISPLAY_LABELS: Record<StepDisplay, string> = {
  REGISTERED: 'Pending',
  READY: 'Ready',
  EXECUTING: 'Executing',
  RETRYING: 'Retrying',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
};

export interface GraphLayout {
  columns: StepState[][];
  /** Position of each step: column and row. */
  positions: Map<string, { column: number; row: number }>;
}

export function layoutOf(steps: StepState[]): GraphLayout {
  const depths = depthsOf(steps);
  const columns: StepState[][] = [];
  for (const step of steps) {
    const depth = depths.get(step.stepId) ?? 0;
    (columns[depth] ??= []).push(step);
  }
  const positions = new Map<string, { column: number; row: number }>();
  columns.forEach((column, columnIndex) =>
    column.forEach((step, row) => positions.set(step.stepId, { column: columnIndex, row })),
  );
  return { columns: columns.filter(Boolean), positions };
}

/** The state after one event; a new object when anything changed (signals compare by identity). */
export function applyEvent(state: WorkflowState, event: WorkflowEvent): WorkflowState {
  switch (event.type) {
    case 'progress':
      return {
        ...state,
        status: event.status,
        completedSteps: event.completedSteps,
        totalSteps: event.totalSteps,
        updatedAt: event.timestamp,
        // Running again after a retry: the earlier run's error is history.
        error: event.status === 'FAILED' ? state.error : null,
      };
    case 'log':
      return applyRevision(state, event.stepId, event.metadata);
    case 'agent_status': {
      if (event.item !== undefined)
        return { ...applySubStepEvent(state, event, event.item), updatedAt: event.timestamp };
      const steps = state.steps.map((step) => {
        if (step.stepId !== event.stepId) return step;
        const next: StepState = {
          ...step,
          lifecycle: event.lifecycle,
          attempts: Math.max(step.attempts, event.attempt),
          waitingFor: event.waitingFor ?? null,
        };
        if (event.lifecycle === 'EXECUTING') {
          next.startedAt = step.startedAt ?? event.timestamp;
          next.finishedAt = null;
        }
        if (event.lifecycle === 'COMPLETED' || event.lifecycle === 'FAILED')
          next.finishedAt = event.timestamp;
        if (event.error !== null || event.lifecycle === 'COMPLETED') next.error = event.error;
        return next;
      });
      return { ...state, steps, updatedAt: event.timestamp };
    }
    case 'complete':
      return {
        ...state,
        status: event.status,
        result: event.result,
        metrics: event.metrics,
        finishedAt: event.timestamp,
        updatedAt: event.timestamp,
      };
    case 'error':
      return {
        ...state,
        status: event.status,
        error: event.message,
        metrics: event.metrics,
        finishedAt: event.timestamp,
        updatedAt: event.timestamp,
      };
  }
}

/** A quality loop's log line (its check sent work back): its steps are in the new iteration. */
function applyRevision(
  state: WorkflowState,
  checker: string | null,
  metadata: Record<string, unknown>,
): WorkflowState {
  const revision = revisionOf(metadata);
  if (!revision || checker === null) return state;
  const inLoop = new Set(revisionStepsOf(state.steps, checker, revision.target));
  const iteration = { current: revision.iteration, max: revision.maxIterations };
  return {
    ...state,
    steps: state.steps.map((step) => (inLoop.has(step.stepId) ? { ...step, iteration } : step)),
  };
}

/** A fan-out's sub-step event: it changes that sub-step, listed under its step, not the step. */
function applySubStepEvent(state: WorkflowState, event: AgentStatusEvent, item: number): WorkflowState {
  const steps = state.steps.map((step) => {
    if (step.stepId !== event.stepId) return step;
    const subSteps = [...(step.subSteps ?? [])];
    const current = subSteps[item] ?? pendingSubStep(item);
    const next: SubStepState = {
      ...current,
      lifecycle: event.lifecycle,
      attempts: Math.max(current.attempts, event.attempt),
      error: event.error ?? (event.lifecycle === 'COMPLETED' ? null : current.error),
    };
    if (event.lifecycle === 'EXECUTING') {
      next.startedAt = current.startedAt ?? event.timestamp;
      next.finishedAt = null;
    }
    if (event.lifecycle === 'COMPLETED' || event.lifecycle === 'FAILED') next.finishedAt = event.timestamp;
    subSteps[item] = next;
    // Items whose events have not arrived yet (a gap) are filled as pending.
    for (let index = 0; index < subSteps.length; index++) subSteps[index] ??= pendingSubStep(index);
    return { ...step, subSteps };
  });
  return { ...state, steps };
}

/** A fan-out's sub-step no event has told of yet. */
function pendingSubStep(item: number): SubStepState {
  return { item, lifecycle: 'REGISTERED', attempts: 0, startedAt: null, finishedAt: null, error: null };
}

/** A fan-out step's progress as a node shows it: "12/50 items", or null for any other step. */
export function subStepSummaryOf(step: StepState): string | null {
  if (!step.subSteps) return null;
  const done = step.subSteps.filter((sub) => sub.lifecycle === 'COMPLETED').length;
  return `${done}/${step.subSteps.length} items`;
}

/** The waterfall key of a fan-out's sub-step (its events carry its step and item). */
export const subStepKey = (stepId: string, item: number): string => `${stepId}[${item}]`;

export type SegmentKind = 'queued' | 'running';

/** One bar of the waterfall: a step's attempt waiting in its queue, or running. */
export interface WaterfallSegment {
  stepId: string;
  attempt: number;
  kind: SegmentKind;
  start: number;
  /** null while it lasts. */
  end: number | null;
  /** How the running segment ended: COMPLETED, FAILED, or RETRYING (a failed attempt retried). */
  outcome: 'COMPLETED' | 'FAILED' | 'RETRYING' | null;
}

/**
 * The waterfall from the event log: for each attempt of each step, the time it waited (READY,
 * or READY again after a failed attempt, until EXECUTING) and the time it ran (EXECUTING until
 * COMPLETED, FAILED, or READY for a retry).
 */
export function waterfallOf(events: WorkflowEvent[]): WaterfallSegment[] {
  const segments: WaterfallSegment[] = [];
  const open = new Map<string, WaterfallSegment>();
  const close = (stepId: string, at: number, outcome: WaterfallSegment['outcome']) => {
    const segment = open.get(stepId);
    if (!segment) return;
    segment.end = at;
    if (segment.kind === 'running') segment.outcome = outcome;
    open.delete(stepId);
  };
  for (const event of events) {
    const at = Date.parse(event.timestamp);
    if (event.type === 'complete' || event.type === 'error') {
      // A cancel or a failure elsewhere ends whatever was still open.
      for (const stepId of [...open.keys()]) close(stepId, at, event.type === 'error' ? 'FAILED' : null);
      continue;
    }
    if (event.type !== 'agent_status') continue;
    const { lifecycle, attempt } = event;
    const stepId = event.item === undefined ? event.stepId : subStepKey(event.stepId, event.item);
    switch (lifecycle) {
      case 'READY': {
        const current = open.get(stepId);
        if (current?.kind === 'queued') break;
        const isRetry = current?.kind === 'running';
        close(stepId, at, 'RETRYING');
        const segment: WaterfallSegment = {
          stepId,
          attempt: isRetry ? attempt + 1 : attempt || 1,
          kind: 'queued',
          start: at,
          end: null,
          outcome: null,
        };
        segments.push(segment);
        open.set(stepId, segment);
        break;
      }
      case 'EXECUTING': {
        close(stepId, at, null);
        const segment: WaterfallSegment = {
          stepId,
          attempt,
          kind: 'running',
          start: at,
          end: null,
          outcome: null,
        };
        segments.push(segment);
        open.set(stepId, segment);
        break;
      }
      case 'COMPLETED':
      case 'FAILED':
        close(stepId, at, lifecycle);
        break;
      case 'REGISTERED':
        break;
    }
  }
  // A queued segment's attempt is the next run's number.
  for (const segment of segments) {
    if (segment.kind !== 'queued') continue;
    const run = segments.find(
      (other) => other.kind === 'running' && other.stepId === segment.stepId && other.start >= segment.start,
    );
    if (run) segment.attempt = run.attempt;
  }
  return segments;
}

/** The published site's path in a workflow's result: a final step's output with `/sites/…` in `path`. */
export function sitePathOf(result: Record<string, unknown> | null): string | null {
  if (!result) return null;
  for (const output of Object.values(result)) {
    const path = (output as { path?: unknown } | null)?.path;
    if (typeof path === 'string' && path.startsWith('/sites/')) return path;
  }
  return null;
}

/** `1.2 s`, `3 m 04 s`. */
export function formatDuration(milliseconds: number | null | undefined): string {
  if (milliseconds === null || milliseconds === undefined || Number.isNaN(milliseconds)) return '—';
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)} s`;
  const minutes = Math.floor(milliseconds / 60_000);
  const seconds = Math.floor((milliseconds % 60_000) / 1000);
  return `${minutes} m ${String(seconds).padStart(2, '0')} s`;
}

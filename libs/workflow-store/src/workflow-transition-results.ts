// What the store's transitions answer: the result of each, and the steps they hand to the
// agents' queues (StepDispatch) or to the caller to run (StepExecution). Apart from the
// transitions themselves because the store's reads answer with dispatches too, and callers
// (the worker, the gateway's control routes) switch over these results without needing the
// Redis side.
import { AgentLifecycle, RevisionFeedback, WorkflowStatus } from '@app/contracts';
import { FanOutSpec } from './fan-out';
import { WorkflowGraph, stepQueueOf } from './workflow-graph';
import { WorkflowMeta } from './workflow-records';

/**
 * A step to hand to the queue of its agent, and the attempt the job runs (its job id is unique
 * per attempt).
 */
export interface StepDispatch {
  stepId: string;
  attempt: number;
  queue: string;
  /** An approval step's deadline from now, in ms: its queue gets a job due then, no worker a step. */
  deadlineMs?: number;
  /** Set when the workflow type declares limits: the step's worker asks them before it begins. */
  hasWorkflowLimits?: boolean;
}

export function dispatchOf(graph: WorkflowGraph, stepId: string, attempt: number): StepDispatch {
  const deadlineSeconds = graph.approvals?.[stepId]?.deadlineSeconds;
  return {
    stepId,
    attempt,
    queue: stepQueueOf(graph, stepId),
    ...(deadlineSeconds === undefined ? {} : { deadlineMs: deadlineSeconds * 1000 }),
    ...(graph.limits ? { hasWorkflowLimits: true } : {}),
  };
}

export const firstAttempts = (graph: WorkflowGraph, stepIds: string[]): StepDispatch[] =>
  stepIds.map((stepId) => dispatchOf(graph, stepId, 1));

export function dispatchPairs(graph: WorkflowGraph, flat: string[]): StepDispatch[] {
  const dispatches: StepDispatch[] = [];
  for (let i = 0; i < flat.length; i += 2) dispatches.push(dispatchOf(graph, flat[i], Number(flat[i + 1])));
  return dispatches;
}

/** Everything a worker needs to run one step, fenced by `runToken`. */
export interface StepExecution {
  stepId: string;
  /** The graph of its workflow, and the queue of the step's agent in it. */
  graphId: string;
  queue: string;
  /** The attempt this run of the step began with: 1, or the first attempt after a resume. */
  firstAttempt: number;
  meta: WorkflowMeta;
  agent: string;
  dependencies: Record<string, unknown>;
  runToken: string;
  /** Set on a fan-out step: where its work items are. The worker fans it out (`fanOut`), no agent runs it. */
  fanOut?: FanOutSpec;
  /** Set on a fan-out's sub-step (`<stepId>#<index>`): its work item. */
  item?: { index: number; value: unknown };
  /** Set on a step a quality loop sent back: why (see revision-scripts.lua.ts). */
  feedback?: RevisionFeedback;
}

/** The answer to `fanOut`: the sub-steps to queue, or why not. */
export type FanOutResult =
  | { outcome: 'fanned-out'; readySteps: StepDispatch[] }
  | { outcome: 'inactive'; status: string }
  | { outcome: 'stale' };

/** The answer to `beginStep`: run it, or why not. */
export type BeginStepResult =
  /** `isFirstStep`: this step moved the workflow from PENDING to RUNNING. */
  | ({ outcome: 'run'; isFirstStep: boolean } & StepExecution)
  | { outcome: 'already-completed'; readySteps: StepDispatch[] }
  | { outcome: 'inactive'; status: string }
  | { outcome: 'stale' };

export type CompleteStepResult =
  | {
      outcome: 'advanced';
      status: WorkflowStatus.Running | WorkflowStatus.Completed;
      /** Steps made ready for the queue. */
      readySteps: StepDispatch[];
      /** A step made ready and begun for the caller to run at once (when it asked to claim one). */
      claimed: StepExecution | null;
    }
  | { outcome: 'inactive'; status: string }
  | { outcome: 'stale' };

/** What a check's request to send work back did (see revision-scripts.lua.ts). */
export type RevisionResult =
  | {
      outcome: 'revised';
      /** The iteration the loop is now in, and its bound. */
      iteration: number;
      maxIterations: number;
      target: string;
      /** The target's job to queue; empty while the workflow is paused (it holds the target). */
      readySteps: StepDispatch[];
    }
  /** The loop's bound is reached: the workflow FAILED with `message`. */
  | { outcome: 'failed'; message: string }
  /** The step declares no `revise`. */
  | { outcome: 'no-loop' | 'stale' }
  | { outcome: 'inactive'; status: string };

export type FailStepResult =
  { outcome: 'retry' | 'failed' | 'stale' } | { outcome: 'inactive'; status: string };

export type ResumeResult =
  | { outcome: 'resumed'; readySteps: StepDispatch[] }
  | { outcome: 'not-failed'; status: WorkflowStatus }
  | { outcome: 'missing' };

export type ReplayResult =
  | { outcome: 'created'; workflowId: string; reusedSteps: string[]; readySteps: StepDispatch[] }
  /** The original's state is no longer in Redis (finished workflows are kept for a while). */
  | { outcome: 'gone' }
  | { outcome: 'unknown-step'; steps: string[] }
  /** A step to reuse has no recorded output: it did not complete in the original. */
  | { outcome: 'not-completed'; stepId: string; lifecycle: string };

/** What deciding an approval step did; `readySteps` go to the queues. */
export type ApprovalDecisionResult =
  | { outcome: 'approved'; status: WorkflowStatus; readySteps: StepDispatch[] }
  | { outcome: 'failed' }
  | { outcome: 'not-waiting'; status: WorkflowStatus; lifecycle: AgentLifecycle }
  | { outcome: 'not-approval' | 'no-step' | 'missing' };

export type PauseResult =
  { outcome: 'paused' } | { outcome: 'not-active'; status: WorkflowStatus } | { outcome: 'missing' };

export type UnpauseResult =
  | { outcome: 'unpaused'; status: WorkflowStatus; readySteps: StepDispatch[] }
  | { outcome: 'not-paused'; status: WorkflowStatus }
  | { outcome: 'missing' };

export type CancelResult =
  { outcome: 'cancelled' } | { outcome: 'terminal'; status: WorkflowStatus } | { outcome: 'missing' };

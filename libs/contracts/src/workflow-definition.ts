import { StepLimit } from './step-limits';

/** What a step id is: kebab-case (a-z, 0-9, -), at most 63 characters. */
export const STEP_ID_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/** The most work items a fan-out step may have unless configured otherwise (`FAN_OUT_MAX_ITEMS`). */
export const DEFAULT_MAX_FAN_OUT_ITEMS = 1000;

/**
 * The ceiling of `FAN_OUT_MAX_ITEMS`: the store's Lua answers with two values per sub-step (its
 * id and attempt) from a table it unpacks, and Lua refuses to unpack more than about 8000.
 */
export const FAN_OUT_ITEMS_CEILING = 2000;

/**
 * What an approval step waits for: a person's decision (`POST /workflows/:id/steps/:stepId/approve`
 * or `reject`), for at most `deadlineSeconds` when set.
 */
export class ApprovalPolicy {
  /** Seconds to wait for a decision; without it the step waits until someone decides. */
  deadlineSeconds?: number;
  /** When the deadline passes: `fail` ends the workflow FAILED; `default` approves with `default`. */
  onTimeout!: 'fail' | 'default';
  /** The step's output when the deadline approves it; `{ approved: true, by: 'deadline' }` if absent. */
  default?: Record<string, unknown>;
}

/**
 * Makes a step a fan-out: instead of running once, it runs one sub-step per work item of a list
 * its dependency returned, in parallel on any worker serving its agent. Each sub-step receives
 * its item (`AgentContext.item`) and the step's dependencies; the steps after it receive the
 * sub-steps' outputs as one list, in item order, as this step's output.
 */
export class FanOutDefinition {
  /** The step whose output holds the work items; it must be one of `dependsOn`. */
  from!: string;
  /** Where the list is in that output, as dot-separated keys (`site.pages`); absent: the output itself. */
  path?: string;
  /**
   * The most items this step accepts (more fails the step before any sub-step runs); at most, and
   * by default, the gateway's `FAN_OUT_MAX_ITEMS`.
   */
  maxItems?: number;
}

/** The most iterations a quality loop may declare (`revise.maxIterations`). */
export const MAX_REVISION_ITERATIONS = 10;

/**
 * A quality loop: the step declaring it checks the work of an earlier step, and when its agent
 * throws `RevisionRequested` the work is sent back with the feedback instead of failing. The
 * target and every step between it and the checker run again (the target reads the feedback as
 * `context.feedback`), at most `maxIterations` times in all; a revision asked for on the last
 * iteration fails the workflow ("audit still failing after 3 iterations: ...").
 */
export class RevisionLoop {
  /** The step sent back: an agent step among the checker's ancestors. */
  step!: string;
  /**
   * How many times the loop may run, its first run included (1..10): 3 sends the work back at
   * most twice.
   */
  maxIterations!: number;
}

/**
 * What a step a quality loop sent back reads as `context.feedback`: which check sent it back, on
 * which iteration of how many, and what that check said (the `feedback` of its `RevisionRequested`).
 */
export class RevisionFeedback {
  /** The id of the checking step. */
  from!: string;
  /** The iteration this run is, 2 for the first run after a failed check. */
  iteration!: number;
  maxIterations!: number;
  feedback!: unknown;
}

/**
 * One node of a workflow graph: an agent run once, after the steps it depends on; or, with
 * `approval` instead of `agent`, a wait for a person's decision, whose payload is its output.
 */
export class StepDefinition {
  /** Unique within the workflow; later steps read this step's output under this id. */
  id!: string;
  /** A registered agent name; absent on an approval step. */
  agent?: string;
  /** Makes this an approval step: no agent runs it and it holds no worker while it waits. */
  approval?: ApprovalPolicy;
  dependsOn!: string[];
  /** Runs the step once per work item of a dependency's output (see {@link FanOutDefinition}). */
  forEach?: FanOutDefinition;
  /** Makes this step check an earlier step's work and send it back (see {@link RevisionLoop}). */
  revise?: RevisionLoop;
}

/** A workflow type as a graph of agent steps. Steps whose dependencies are met run in parallel. */
export class WorkflowDefinition {
  type!: string;
  description!: string;
  steps!: StepDefinition[];
  /**
   * A JSON Schema (draft-07) of the workflow's `input`, checked before the workflow is recorded:
   * an input it refuses is answered 422 and never reaches an agent. Without one, any object is
   * accepted and the agents check what they read.
   */
  inputSchema?: Record<string, unknown>;
  /**
   * Other names a client may give a field of the input, as `{ alias: field }`. The alias is
   * renamed to the field before the input is checked and recorded; both given with different
   * values is refused.
   */
  inputAliases?: Record<string, string>;
  /**
   * Limits every step of this workflow type obeys, besides its agent's (see {@link StepLimit}):
   * checked at registration (positive numbers, known key fields, unique names).
   */
  limits?: StepLimit[];
}

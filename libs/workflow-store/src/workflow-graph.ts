import {
  DEFAULT_MAX_FAN_OUT_ITEMS,
  FAN_OUT_ITEMS_CEILING,
  ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE,
  agentStepsQueue,
  ApprovalPolicy,
  StepLimit,
  WorkflowDefinition,
} from '@app/contracts';
import { stepLimitProblems } from '@app/flow-control';
import { APPROVAL_AGENT, approvalOf, approvalProblem } from './approval-steps';
import { fanOutProblem, FanOutSpec, fanOutSpecOf, parseChildStepId } from './fan-out';
import { RevisionSpec, revisionLoopOf } from './revision-loops';

/** A definition rejected at registration; the message says which step and why. */
export class InvalidWorkflowDefinitionError extends Error {
  override name = 'InvalidWorkflowDefinitionError';
}

/** A definition naming an agent (or agent version) that no worker has registered. */
export class UnknownAgentError extends InvalidWorkflowDefinitionError {
  override name = 'UnknownAgentError';
}

/**
 * A definition whose limits are wrong (a rate of 0 or less, an unknown key field...): the request
 * was well formed but cannot be used, so the gateway answers 422.
 */
export class InvalidStepLimitError extends InvalidWorkflowDefinitionError {
  override name = 'InvalidStepLimitError';
}

/** A definition whose quality loop (`revise`) cannot be used: answered 422, as the message says why. */
export class InvalidRevisionLoopError extends InvalidWorkflowDefinitionError {
  override name = 'InvalidRevisionLoopError';
}

/** The compiled graph the state-machine scripts read. */
export interface WorkflowGraph {
  /** Step ids in a topological order. */
  order: string[];
  deps: Record<string, string[]>;
  /** Each step's agent, by name. */
  agents: Record<string, string>;
  /**
   * The major version of each step's agent: named in the definition (`planner@2`), or pinned when
   * a workflow starts, so a rolling deploy never runs one of its steps on an incompatible agent.
   */
  versions: Record<string, number>;
  /** Steps no other step depends on: their outputs are the workflow's result. */
  sinks: string[];
  /** The steps that depend on each step. */
  successors: Record<string, string[]>;
  /** Every step each step depends on, directly or not: the outputs it reads. */
  ancestors: Record<string, string[]>;
  /** The approval steps' policies, by step id; absent when the graph has none. */
  approvals?: Record<string, ApprovalPolicy>;
  /** The fan-out steps (`forEach`), by step id; absent when the graph has none. */
  fanOut?: Record<string, FanOutSpec>;
  /** The workflow type's limits, which every step obeys (see StepLimit); absent when it has none. */
  limits?: StepLimit[];
  /** The quality loops, by the id of the step that checks (`revise`); absent when the graph has none. */
  revisions?: Record<string, RevisionSpec>;
}

/** A step's agent as a definition names it: `planner` (any version) or `planner@2` (major 2). */
export interface AgentReference {
  name: string;
  major?: number;
}

export function parseAgentReference(reference: string): AgentReference {
  const at = reference.lastIndexOf('@');
  if (at < 0) return { name: reference };
  const major = reference.slice(at + 1);
  return { name: reference.slice(0, at), major: /^\d{1,6}$/.test(major) ? Number(major) : Number.NaN };
}

/** The queue a step of a pinned graph goes to; a fan-out step's sub-steps go to the step's. */
export function stepQueueOf(graph: WorkflowGraph, id: string): string {
  const stepId = parseChildStepId(id)?.stepId ?? id;
  if (graph.approvals?.[stepId]) return ORCHESTRATOR_APPROVAL_DEADLINES_QUEUE;
  return agentStepsQueue(graph.agents[stepId], graph.versions[stepId]);
}

/**
 * Checks a definition (unique ids, known agents, existing dependencies, no cycle) and orders it.
 * `unknownAgent` comes from the agent catalogue: why a step's agent cannot be used, or null.
 * Steps that name no major version are left out of `versions` until {@link pinWorkflowGraph}.
 */
export function compileWorkflowGraph(
  definition: WorkflowDefinition,
  unknownAgent: (agent: AgentReference) => string | null,
  /** The most work items any fan-out step may take (`FAN_OUT_MAX_ITEMS`). */
  maxFanOutItems = DEFAULT_MAX_FAN_OUT_ITEMS,
  /**
   * `stored`: a definition registered earlier, under the cap of its day. A `maxItems` above
   * today's cap is held to the cap (more items fail the step) rather than refused, so its type
   * keeps starting.
   */
  origin: 'new' | 'stored' = 'new',
): WorkflowGraph {
  const { type, steps, limits = [] } = definition;
  if (steps.length === 0) throw new InvalidWorkflowDefinitionError(`workflow ${type} has no steps`);
  const limitProblems = stepLimitProblems(limits);
  if (limitProblems.length > 0)
    throw new InvalidStepLimitError(`workflow ${type}: ${limitProblems.join('; ')}`);
  const deps: Record<string, string[]> = {};
  const agents: Record<string, string> = {};
  const versions: Record<string, number> = {};
  const approvals: Record<string, ApprovalPolicy> = {};
  const fanOut: Record<string, FanOutSpec> = {};
  for (const step of steps) {
    if (deps[step.id])
      throw new InvalidWorkflowDefinitionError(`workflow ${type}: step "${step.id}" is defined twice`);
    const problem = approvalProblem(step);
    if (problem !== null)
      throw new InvalidWorkflowDefinitionError(`workflow ${type}: step "${step.id}" ${problem}`);
    if (step.approval) {
      if (step.forEach)
        throw new InvalidWorkflowDefinitionError(
          `workflow ${type}: step "${step.id}" is an approval step, which cannot fan out (forEach)`,
        );
      deps[step.id] = [...step.dependsOn];
      agents[step.id] = APPROVAL_AGENT;
      approvals[step.id] = approvalOf(step.approval);
      continue;
    }
    if (step.agent === undefined)
      throw new InvalidWorkflowDefinitionError(`workflow ${type}: step "${step.id}" names no agent`);
    const reference = parseAgentReference(step.agent);
    if (Number.isNaN(reference.major)) {
      throw new InvalidWorkflowDefinitionError(
        `workflow ${type}: step "${step.id}" names agent "${step.agent}"; a version is a major number, as in planner@2`,
      );
    }
    const unknown = unknownAgent(reference);
    if (unknown !== null) {
      throw new UnknownAgentError(
        `workflow ${type}: step "${step.id}" uses agent "${step.agent}", ${unknown}`,
      );
    }
    deps[step.id] = [...step.dependsOn];
    agents[step.id] = reference.name;
    if (reference.major !== undefined) versions[step.id] = reference.major;
    if (step.forEach) {
      const wrong = fanOutProblem(
        step.forEach,
        step.dependsOn,
        origin === 'stored' ? FAN_OUT_ITEMS_CEILING : maxFanOutItems,
      );
      if (wrong !== null)
        throw new InvalidWorkflowDefinitionError(`workflow ${type}: step "${step.id}" ${wrong}`);
      fanOut[step.id] = fanOutSpecOf(step.forEach, maxFanOutItems);
    }
  }
  for (const step of steps) {
    for (const dependency of step.dependsOn) {
      if (!deps[dependency]) {
        throw new InvalidWorkflowDefinitionError(
          `workflow ${type}: step "${step.id}" depends on missing step "${dependency}"`,
        );
      }
    }
  }
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(id)), id].join(' → ');
      throw new InvalidWorkflowDefinitionError(`workflow ${type} has a cycle: ${cycle}`);
    }
    state.set(id, 'visiting');
    for (const dependency of deps[id]) visit(dependency, [...path, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const step of steps) visit(step.id, []);
  const dependedOn = new Set(steps.flatMap((step) => step.dependsOn));
  const successors = Object.fromEntries(
    order.map((id) => [id, order.filter((other) => deps[other].includes(id))]),
  );
  const ancestors: Record<string, string[]> = {};
  for (const id of order) {
    // In topological order, a step's dependencies already have their ancestors.
    const all = new Set(deps[id].flatMap((dependency) => [dependency, ...ancestors[dependency]]));
    ancestors[id] = order.filter((other) => all.has(other));
  }
  const revisions: Record<string, RevisionSpec> = {};
  for (const step of steps) {
    if (!step.revise) continue;
    const loop = revisionLoopOf(step, { order, ancestors, approvals, fanOut });
    if ('problem' in loop)
      throw new InvalidRevisionLoopError(`workflow ${type}: step "${step.id}" ${loop.problem}`);
    revisions[step.id] = loop.spec;
  }
  return {
    order,
    deps,
    agents,
    versions,
    sinks: order.filter((id) => !dependedOn.has(id)),
    successors,
    ancestors,
    // Only when there are some: the graph's id hashes its JSON, and graphs without stay as they were.
    ...(Object.keys(approvals).length > 0 ? { approvals } : {}),
    ...(Object.keys(fanOut).length > 0 ? { fanOut } : {}),
    ...(limits.length > 0 ? { limits } : {}),
    ...(Object.keys(revisions).length > 0 ? { revisions } : {}),
  };
}

/**
 * The graph a new workflow runs: every step's agent pinned to a major version, those the
 * definition named kept, the others from `majorOf` (the catalogue's current one). The same pins
 * give an equal graph, so workflows share its stored copy.
 */
export function pinWorkflowGraph(graph: WorkflowGraph, majorOf: (agent: string) => number): WorkflowGraph {
  const versions: Record<string, number> = {};
  for (const stepId of graph.order)
    if (!graph.approvals?.[stepId])
      versions[stepId] = graph.versions[stepId] ?? majorOf(graph.agents[stepId]);
  return { ...graph, versions };
}

import { WorkflowDefinition, agentStepsQueue } from '@app/contracts';

/** A definition rejected at registration; the message says which step and why. */
export class InvalidWorkflowDefinitionError extends Error {
  override name = 'InvalidWorkflowDefinitionError';
}

/** A definition naming an agent (or agent version) that no worker has registered. */
export class UnknownAgentError extends InvalidWorkflowDefinitionError {
  override name = 'UnknownAgentError';
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

/** The queue a step of a pinned graph goes to. */
export function stepQueueOf(graph: WorkflowGraph, stepId: string): string {
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
): WorkflowGraph {
  const { type, steps } = definition;
  if (steps.length === 0) throw new InvalidWorkflowDefinitionError(`workflow ${type} has no steps`);
  const deps: Record<string, string[]> = {};
  const agents: Record<string, string> = {};
  const versions: Record<string, number> = {};
  for (const step of steps) {
    if (deps[step.id])
      throw new InvalidWorkflowDefinitionError(`workflow ${type}: step "${step.id}" is defined twice`);
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
  return {
    order,
    deps,
    agents,
    versions,
    sinks: order.filter((id) => !dependedOn.has(id)),
    successors,
    ancestors,
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
    versions[stepId] = graph.versions[stepId] ?? majorOf(graph.agents[stepId]);
  return { ...graph, versions };
}

import { WorkflowDefinition } from '@app/contracts';

/** A definition rejected at registration; the message says which step and why. */
export class InvalidWorkflowDefinitionError extends Error {
  override name = 'InvalidWorkflowDefinitionError';
}

/** The compiled graph the state-machine scripts read. */
export interface WorkflowGraph {
  /** Step ids in a topological order. */
  order: string[];
  deps: Record<string, string[]>;
  agents: Record<string, string>;
  /** Steps no other step depends on: their outputs are the workflow's result. */
  sinks: string[];
  /** The steps that depend on each step. */
  successors: Record<string, string[]>;
  /** Every step each step depends on, directly or not: the outputs it reads. */
  ancestors: Record<string, string[]>;
}

/**
 * Checks a definition (unique ids, known agents, existing dependencies, no cycle) and orders it.
 * `isKnownAgent` comes from the agent registry.
 */
export function compileWorkflowGraph(
  definition: WorkflowDefinition,
  isKnownAgent: (agent: string) => boolean,
): WorkflowGraph {
  const { type, steps } = definition;
  if (steps.length === 0) throw new InvalidWorkflowDefinitionError(`workflow ${type} has no steps`);
  const deps: Record<string, string[]> = {};
  const agents: Record<string, string> = {};
  for (const step of steps) {
    if (deps[step.id])
      throw new InvalidWorkflowDefinitionError(`workflow ${type}: step "${step.id}" is defined twice`);
    if (!isKnownAgent(step.agent)) {
      throw new InvalidWorkflowDefinitionError(
        `workflow ${type}: step "${step.id}" uses unknown agent "${step.agent}"`,
      );
    }
    deps[step.id] = [...step.dependsOn];
    agents[step.id] = step.agent;
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
  return { order, deps, agents, sinks: order.filter((id) => !dependedOn.has(id)), successors, ancestors };
}

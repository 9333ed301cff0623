// The creation plan: what creating a workflow of a graph writes to Redis, computed once per graph
// object. Apart from the transitions because it is pure (no Redis): the graph's fields and the
// fields a new workflow starts with, which the `create` function of the library writes as given.
import { createHash } from 'node:crypto';
import { AgentLifecycle, WorkflowStatus } from '@app/contracts';
import { WorkflowGraph } from './workflow-graph';

const mapValues = <T, U>(record: Record<string, T>, map: (value: T) => U): Record<string, U> =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));

/**
 * What creating a workflow of a graph writes, computed once per graph and stored in Redis once
 * (see workflow-scripts.lua.ts): the graph's hash, which includes the creation events (each step
 * REGISTERED, the roots READY, progress; ids 1..n), and the hash a new workflow starts as.
 */
export interface CreationPlan {
  /** SHA-1 of the graph's JSON: equal graphs share one stored hash. */
  graphId: string;
  /** (field, value) pairs, flat. */
  graphFields: string[];
  newWorkflowFields: string[];
  roots: string[];
}

const creationPlans = new WeakMap<WorkflowGraph, CreationPlan>();

export function creationPlan(graph: WorkflowGraph): CreationPlan {
  const known = creationPlans.get(graph);
  if (known) return known;
  const graphJson = JSON.stringify(graph);
  const roots = graph.order.filter((id) => graph.deps[id].length === 0);
  const stepEvents = (ids: string[], lifecycle: AgentLifecycle) =>
    ids.map((stepId) => ({
      type: 'agent_status',
      stepId,
      agent: graph.agents[stepId],
      lifecycle,
      attempt: 0,
      error: null,
    }));
  const events = [
    ...stepEvents(graph.order, AgentLifecycle.Registered),
    ...stepEvents(roots, AgentLifecycle.Ready),
    {
      type: 'progress',
      status: WorkflowStatus.Pending,
      completedSteps: 0,
      totalSteps: graph.order.length,
      percent: 0,
    },
  ].map((event, index) => ({ ...event, eventId: index + 1 }));
  const graphFields = Object.entries({
    graph: graphJson,
    order: graph.order.join(','),
    total: String(graph.order.length),
    sinks: graph.sinks.join(','),
    createEvents: JSON.stringify(events),
    createEventCount: String(events.length),
  }).flat();
  const newWorkflowFields = ['done', '0'];
  // Every quality loop starts at its first iteration (see revision-scripts.lua.ts).
  if (graph.revisions)
    newWorkflowFields.push('iterations', JSON.stringify(mapValues(graph.revisions, () => 1)));
  for (const id of graph.order) {
    graphFields.push(
      `deps:${id}`,
      graph.deps[id].join(','),
      `next:${id}`,
      graph.successors[id].join(','),
      `anc:${id}`,
      graph.ancestors[id].join(','),
    );
    // The state machine knows an approval step by this field (see approval-steps.ts).
    if (graph.approvals?.[id]) graphFields.push(`approval:${id}`, '1');
    const lifecycle = roots.includes(id) ? AgentLifecycle.Ready : AgentLifecycle.Registered;
    newWorkflowFields.push(`step:${id}`, JSON.stringify({ lifecycle, attempts: 0, agent: graph.agents[id] }));
  }
  const plan: CreationPlan = {
    graphId: createHash('sha1').update(graphJson).digest('hex'),
    graphFields,
    newWorkflowFields,
    roots,
  };
  creationPlans.set(graph, plan);
  return plan;
}

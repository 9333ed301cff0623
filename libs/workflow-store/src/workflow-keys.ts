/**
 * The names of the workflow store's Redis keys and channels under a deployment's prefix. The
 * function library's Lua (workflow-scripts.lua.ts, workflow-control-scripts.lua.ts) is built with
 * these same names, so TypeScript and Lua cannot drift apart.
 */
export const WORKFLOW_KEY_NAMES = {
  /** `<prefix>:wf:<id>`: a workflow's hash; `<prefix>:wf:<id>:events` its event log. */
  workflow: 'wf',
  /** `<prefix>:workflows:<STATUS>`: the workflows of one status by creation time. */
  statusIndex: 'workflows',
  /** `<prefix>:graph:<graphId>`: a pinned step graph, shared by the workflows that run it. */
  graph: 'graph',
  /** `<prefix>:output:<sha256>`: a large step output, stored once by its hash. */
  output: 'output',
  /** `<prefix>:idempotency:<tenant>:<key>`: the workflow a start's idempotency key made. */
  idempotency: 'idempotency',
  /** `<prefix>:workflow-changes`: the outbox stream of status changes (see workflow-changes.ts). */
  changes: 'workflow-changes',
  /** Channels: every transition's events; cancelled workflows' ids; projected run summaries. */
  eventsChannel: 'workflow-events',
  cancellationsChannel: 'workflow-cancellations',
  runsChannel: 'workflow-runs',
} as const;

/**
 * Every Redis key and channel of the workflow store, named once: the store's transitions and
 * reads, the gateway's relays and the metrics service's projection all take them from here.
 */
export class WorkflowKeys {
  constructor(readonly prefix: string) {}

  /** A workflow's hash: meta, graph id, status, times, each step's state and output. */
  workflow(workflowId: string): string {
    return `${this.prefix}:${WORKFLOW_KEY_NAMES.workflow}:${workflowId}`;
  }

  /** A workflow's event log: one batch per transition, as published. */
  events(workflowId: string): string {
    return `${this.workflow(workflowId)}:events`;
  }

  /** The workflows of one status, scored by creation time: recovery and retention walk it. */
  statusIndex(status: string): string {
    return `${this.prefix}:${WORKFLOW_KEY_NAMES.statusIndex}:${status}`;
  }

  graph(graphId: string): string {
    return `${this.prefix}:${WORKFLOW_KEY_NAMES.graph}:${graphId}`;
  }

  output(sha256: string): string {
    return `${this.prefix}:${WORKFLOW_KEY_NAMES.output}:${sha256}`;
  }

  idempotency(tenantId: string, idempotencyKey: string): string {
    return `${this.prefix}:${WORKFLOW_KEY_NAMES.idempotency}:${tenantId}:${idempotencyKey}`;
  }

  /** The outbox stream of status changes, read by the metrics service's projection. */
  get changes(): string {
    return `${this.prefix}:${WORKFLOW_KEY_NAMES.changes}`;
  }

  /** Every workflow event: one message per transition, see parseEventMessage. */
  get eventsChannel(): string {
    return `${this.prefix}:${WORKFLOW_KEY_NAMES.eventsChannel}`;
  }

  /** A cancelled workflow's id, so workers abort its running steps. */
  get cancellationsChannel(): string {
    return `${this.prefix}:${WORKFLOW_KEY_NAMES.cancellationsChannel}`;
  }

  /** Projected run summaries: each message a JSON array of `WorkflowSummary`. */
  get runsChannel(): string {
    return `${this.prefix}:${WORKFLOW_KEY_NAMES.runsChannel}`;
  }
}

import { randomUUID } from 'node:crypto';

/**
 * The names of the workflow store's Redis keys and channels under a shard's base
 * (`<prefix>:{s<n>}`). The function library's Lua (workflow-scripts.lua.ts,
 * workflow-control-scripts.lua.ts) is built with these same names, so TypeScript and Lua cannot
 * drift apart.
 */
export const WORKFLOW_KEY_NAMES = {
  /** `<shard>:wf:<id>`: a workflow's hash. */
  workflow: 'wf',
  /** `<shard>:wf:<id>:events`: a workflow's event log, the suffix of its hash's key. */
  events: 'events',
  /** `<shard>:workflows:<STATUS>`: the shard's workflows of one status by creation time. */
  statusIndex: 'workflows',
  /** `<shard>:graph:<graphId>`: the shard's copy of a pinned step graph, shared by its workflows. */
  graph: 'graph',
  /** `<shard>:output:<sha256>`: a large step output, stored once per shard by its hash. */
  output: 'output',
  /** `<shard>:idempotency:<tenant>:<key>`: the workflow a start's idempotency key made. */
  idempotency: 'idempotency',
  /** `<shard>:workflow-changes`: the shard's outbox stream of status changes (workflow-changes.ts). */
  changes: 'workflow-changes',
  /** `<shard>:workflow-events`: the shard channel (SPUBLISH) of its workflows' events. */
  eventsChannel: 'workflow-events',
  /** Channels of the whole deployment: cancelled workflows' ids; projected run summaries. */
  cancellationsChannel: 'workflow-cancellations',
  runsChannel: 'workflow-runs',
  /** `<prefix>:store-format`: the layout version and shard count the store's data was written in. */
  format: 'store-format',
} as const;

/**
 * The number of logical shards a deployment's workflows are spread over. Fixed: a workflow's
 * shard is a hash of its id, so changing it would move every workflow. It is recorded in the
 * store's format (workflow-store-format.ts), which refuses data written with another count.
 * Sixteen spreads over a cluster of up to about eight primaries; each shard is one slot.
 */
export const WORKFLOW_SHARDS = 16;

/**
 * Every Redis key and channel of the workflow store, named once: the store's transitions and
 * reads, the gateway's relays and the metrics service's projection all take them from here.
 *
 * A workflow belongs to one of {@link WORKFLOW_SHARDS} shards, the FNV-1a hash of its id. Every
 * key a transition touches (the workflow, its events, the shard's status indexes and outbox, the
 * shard's graph copies, outputs and idempotency keys) carries the shard's hash tag `{s<n>}`, so
 * each transition is one atomic call on one Redis Cluster slot, and the same layout runs
 * unchanged on a single Redis.
 */
export class WorkflowKeys {
  readonly shards = WORKFLOW_SHARDS;

  constructor(readonly prefix: string) {}

  /** The shard of a workflow: FNV-1a of its id, modulo the shard count. */
  shardOf(workflowId: string): number {
    return fnv1a(workflowId) % this.shards;
  }

  /** A new workflow id (a UUID) in `shard`: drawn until one hashes there, 16 draws on average. */
  newWorkflowId(shard?: number): string {
    for (;;) {
      const workflowId = randomUUID();
      if (shard === undefined || this.shardOf(workflowId) === shard) return workflowId;
    }
  }

  /** Every shard's number, for the jobs that walk them all. */
  allShards(): number[] {
    return Array.from({ length: this.shards }, (_, shard) => shard);
  }

  /** `<prefix>:{s<n>}`: what every key of the shard starts with; its hash tag picks the slot. */
  shardBase(shard: number): string {
    return `${this.prefix}:{s${shard}}`;
  }

  /** A workflow's hash: meta, graph id, status, times, each step's state and output. */
  workflow(workflowId: string): string {
    return `${this.shardBase(this.shardOf(workflowId))}:${WORKFLOW_KEY_NAMES.workflow}:${workflowId}`;
  }

  /** A workflow's event log: one batch per transition, as published. */
  events(workflowId: string): string {
    return `${this.workflow(workflowId)}:${WORKFLOW_KEY_NAMES.events}`;
  }

  /** The shard's workflows of one status, scored by creation time: recovery and retention walk it. */
  statusIndex(status: string, shard: number): string {
    return `${this.shardBase(shard)}:${WORKFLOW_KEY_NAMES.statusIndex}:${status}`;
  }

  /** The shard's copy of a graph (content-addressed, so every copy is the same). */
  graph(graphId: string, shard: number): string {
    return `${this.shardBase(shard)}:${WORKFLOW_KEY_NAMES.graph}:${graphId}`;
  }

  output(sha256: string, shard: number): string {
    return `${this.shardBase(shard)}:${WORKFLOW_KEY_NAMES.output}:${sha256}`;
  }

  /** The shard an idempotency key is kept in, and its workflow created in. */
  idempotencyShard(tenantId: string, idempotencyKey: string): number {
    return this.shardOf(`${tenantId}:${idempotencyKey}`);
  }

  idempotency(tenantId: string, idempotencyKey: string): string {
    const shard = this.shardBase(this.idempotencyShard(tenantId, idempotencyKey));
    return `${shard}:${WORKFLOW_KEY_NAMES.idempotency}:${tenantId}:${idempotencyKey}`;
  }

  /** The shard's outbox stream of status changes, read by the metrics service's projection. */
  changes(shard: number): string {
    return `${this.shardBase(shard)}:${WORKFLOW_KEY_NAMES.changes}`;
  }

  /** The shard channel (SSUBSCRIBE) of a shard's workflow events: one message per transition. */
  eventsChannel(shard: number): string {
    return `${this.shardBase(shard)}:${WORKFLOW_KEY_NAMES.eventsChannel}`;
  }

  /** Every shard's events channel: a relay subscribes to them all. */
  get eventsChannels(): string[] {
    return this.allShards().map((shard) => this.eventsChannel(shard));
  }

  /** A cancelled workflow's id, so workers abort its running steps. */
  get cancellationsChannel(): string {
    return `${this.prefix}:${WORKFLOW_KEY_NAMES.cancellationsChannel}`;
  }

  /** Projected run summaries: each message a JSON array of `WorkflowSummary`. */
  get runsChannel(): string {
    return `${this.prefix}:${WORKFLOW_KEY_NAMES.runsChannel}`;
  }

  /** The format record of the store's data (workflow-store-format.ts). */
  get format(): string {
    return `${this.prefix}:${WORKFLOW_KEY_NAMES.format}`;
  }
}

/** The 32-bit FNV-1a hash of a string's UTF-16 code units: cheap, and the same in every process. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// How the workflow store keeps a workflow in Redis, where its transitions and its reads both
// need it: what a workflow is created with (WorkflowMeta), the store's options, a workflow's key,
// its graph (stored once per graph in each shard, read back once per process) and large outputs
// (stored once per shard under their SHA-256, read back in full). The store makes one instance for all its parts, so a
// graph is read from Redis once per process.
import { createHash } from 'node:crypto';
import { WorkflowState } from '@app/contracts';
import { RedisClient } from '@app/redis';
import { OutputReference, isOutputReference } from './output-reference';
import { WorkflowGraph } from './workflow-graph';
import { WorkflowKeys } from './workflow-keys';

/**
 * What a workflow is created with and never changes: that part of its state, and the W3C
 * `traceparent` of the span that started it (when tracing is on), which its steps continue.
 */
export type WorkflowMeta = Pick<
  WorkflowState,
  'workflowId' | 'type' | 'tenantId' | 'sessionId' | 'input' | 'preferences' | 'replayOf'
> & {
  traceparent?: string;
  /** The workflow's priority, 1 (first) to 5 (see the start request); 3 when absent. */
  priority?: number;
  /** Started with a budget of its own (see the start request's `budget`). */
  hasBudget?: boolean;
};

export interface WorkflowStoreOptions {
  /** Namespaces every key and channel (`REDIS_PREFIX`). */
  prefix: string;
  /** Seconds a finished workflow's state, outputs and events stay in Redis. */
  finishedTtlSeconds: number;
  /**
   * Outputs whose JSON is larger than this many bytes are stored once, content-addressed, and
   * the context, state and events carry an {@link OutputReference} instead.
   */
  largeOutputBytes?: number;
}

const DEFAULT_LARGE_OUTPUT_BYTES = 64 * 1024;

/**
 * A workflow's key, its graph and its large outputs in Redis, for the store's transitions and reads.
 */
export class WorkflowRecords {
  /** Graphs read back from Redis (they never change). */
  private readonly graphs = new Map<string, WorkflowGraph>();
  readonly keys: WorkflowKeys;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: WorkflowStoreOptions,
  ) {
    this.keys = new WorkflowKeys(options.prefix);
  }

  /**
   * A stored graph by id, read once per process (from the shard of `workflowId`, a workflow of
   * that graph): a graph id always names the same graph, whichever shard's copy is read.
   */
  async graph(graphId: string, workflowId: string): Promise<WorkflowGraph> {
    let graph = this.graphs.get(graphId);
    if (!graph) {
      const json = await this.redis.hget(this.keys.graph(graphId, this.keys.shardOf(workflowId)), 'graph');
      if (json === null) throw new Error(`graph ${graphId} is missing from Redis`);
      graph = JSON.parse(json) as WorkflowGraph;
      this.graphs.set(graphId, graph);
    }
    return graph;
  }

  /**
   * The output's JSON, or a reference to it stored once under its SHA-256 (in the shard of
   * `workflowId`, whose state refers to it) when it is large.
   */
  async storeOutput(output: unknown, workflowId: string): Promise<string> {
    const json = JSON.stringify(output ?? null);
    const limit = this.options.largeOutputBytes ?? DEFAULT_LARGE_OUTPUT_BYTES;
    if (Buffer.byteLength(json) <= limit) return json;
    const sha256 = createHash('sha256').update(json).digest('hex');
    // Written before the state refers to it; a rewrite of identical content only refreshes the expiry.
    const key = this.keys.output(sha256, this.keys.shardOf(workflowId));
    await this.redis.set(key, json, 'EX', this.options.finishedTtlSeconds * 2);
    const reference: OutputReference = { $ref: `sha256:${sha256}`, bytes: Buffer.byteLength(json) };
    return JSON.stringify(reference);
  }

  /** Replaces every top-level reference in `values` (of `workflowId`) by the stored output. */
  async resolveReferences(values: Record<string, unknown>, workflowId: string): Promise<void> {
    // A fan-out step's output is the list of its sub-steps' outputs, each possibly a reference.
    const holders: [Record<string, unknown> | unknown[], string | number, string][] = [];
    for (const [key, value] of Object.entries(values)) {
      if (isOutputReference(value)) holders.push([values, key, key]);
      else if (Array.isArray(value))
        value.forEach((element, index) => {
          if (isOutputReference(element)) holders.push([value, index, `${key}#${index}`]);
        });
    }
    if (holders.length === 0) return;
    const references = holders.map(
      ([holder, at]) => (holder as Record<string | number, OutputReference>)[at],
    );
    const shard = this.keys.shardOf(workflowId);
    const blobs = await this.redis.mget(
      ...references.map((reference) => this.keys.output(reference.$ref.slice(7), shard)),
    );
    holders.forEach(([holder, at, stepId], index) => {
      const blob = blobs[index];
      if (blob === null)
        throw new Error(`stored output ${references[index].$ref} of step ${stepId} has expired`);
      (holder as Record<string | number, unknown>)[at] = JSON.parse(blob);
    });
  }
}

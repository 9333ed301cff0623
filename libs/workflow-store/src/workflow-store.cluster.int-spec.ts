import { AgentLifecycle, WorkflowEvent, WorkflowEventType, WorkflowStatus } from '@app/contracts';
import { RedisClient, createRedisConnection } from '@app/redis';
import { RedisCluster } from '../../../test/support/redis-cluster';
import { waitFor } from '../../../test/support/wait-for';
import { DIAMOND_GRAPH } from './testing/diamond-graph';
import { parseEventMessage, subscribeToWorkflowEvents } from './workflow-events.wire';
import { WorkflowMeta } from './workflow-records';
import { WorkflowStore } from './workflow-store';

const STEPS = ['a', 'b', 'c', 'd'];

/**
 * The store on a Redis Cluster of three primaries with a replica each, started by the spec: every
 * transition is one FCALL on its workflow's shard's slot, wherever that slot lives, and the
 * events of every shard reach a subscriber. The same transitions run on one Redis in the other
 * store specs.
 */
describe('WorkflowStore on a Redis Cluster (three primaries, three replicas)', () => {
  const prefix = 'cluster-spec';
  let cluster: RedisCluster;
  let redis: RedisClient;
  let subscriber: RedisClient;
  let store: WorkflowStore;
  const published: WorkflowEvent[] = [];

  beforeAll(async () => {
    cluster = await RedisCluster.start({ primaries: 3, replicasEach: 1 });
    redis = createRedisConnection(cluster.url, 'cluster-spec', { autoPipelining: true });
    subscriber = createRedisConnection(cluster.url, 'cluster-spec-events');
    store = new WorkflowStore(redis, { prefix, finishedTtlSeconds: 3600, largeOutputBytes: 200 });
    await store.ensureFormat();
    await subscribeToWorkflowEvents(subscriber, store.eventsChannels, (message) =>
      published.push(...parseEventMessage(message)),
    );
  }, 60_000);

  afterAll(async () => {
    subscriber?.disconnect();
    redis?.disconnect();
    await cluster?.stop();
  });

  const meta = (workflowId: string, fields: Partial<WorkflowMeta> = {}): WorkflowMeta => ({
    workflowId,
    type: 'DIAMOND',
    tenantId: 't1',
    sessionId: 's1',
    input: {},
    preferences: {},
    ...fields,
  });

  /** `count` new workflows in every shard. */
  const inEveryShard = (count: number) =>
    store.keys
      .allShards()
      .flatMap((shard) => Array.from({ length: count }, () => store.keys.newWorkflowId(shard)));

  async function runStep(workflowId: string, stepId: string): Promise<void> {
    const begun = await store.beginStep(workflowId, stepId, 1);
    if (begun.outcome !== 'run') throw new Error(`${workflowId} ${stepId}: ${begun.outcome}`);
    await store.completeStep({
      workflowId,
      stepId,
      graphId: begun.graphId,
      runToken: begun.runToken,
      // a's output is large: stored once in the shard, by reference.
      output: stepId === 'a' ? { html: 'x'.repeat(500) } : { stepId, from: Object.keys(begun.dependencies) },
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
    });
  }

  /** How many times each step of the workflow was recorded COMPLETED in its events. */
  async function completions(workflowId: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const event of await store.eventsAfter(workflowId, 0))
      if (event.type === WorkflowEventType.AgentStatus && event.lifecycle === AgentLifecycle.Completed)
        counts[event.stepId] = (counts[event.stepId] ?? 0) + 1;
    return counts;
  }

  it('spreads the shards over every primary and runs workflows of every shard to completion', async () => {
    const primaries = new Set(
      await Promise.all(
        store.keys.allShards().map((shard) => cluster.primaryOf(store.keys.shardBase(shard))),
      ),
    );
    expect(primaries.size).toBe(3);

    const ids = inEveryShard(2);
    for (const id of ids) await store.create(meta(id), DIAMOND_GRAPH);
    for (const stepId of STEPS) await Promise.all(ids.map((id) => runStep(id, stepId)));

    for (const id of ids) {
      const state = await store.get(id);
      expect(state?.status).toBe(WorkflowStatus.Completed);
      expect(await completions(id)).toEqual({ a: 1, b: 1, c: 1, d: 1 });
    }
    expect(await store.output(ids[0], 'a')).toEqual({ html: 'x'.repeat(500) });
    // Each shard's events reached the subscriber on its shard channel, and its outbox has the changes.
    await waitFor(
      async () =>
        ids.every((id) => published.some((event) => event.workflowId === id && event.type === 'complete'))
          ? true
          : undefined,
      'every workflow’s complete event',
    );
    for (const shard of store.keys.allShards())
      expect(await redis.xlen(store.keys.changes(shard))).toBeGreaterThanOrEqual(2 * 3);
  });

  it('answers an idempotency key, cancels, resumes a failed workflow and replays one, each in its shard', async () => {
    const keyed = store.newWorkflowId({ tenantId: 't1', idempotencyKey: 'order-7' });
    const first = await store.create(meta(keyed), DIAMOND_GRAPH, 'order-7');
    const again = await store.create(
      meta(store.newWorkflowId({ tenantId: 't1', idempotencyKey: 'order-7' })),
      DIAMOND_GRAPH,
      'order-7',
    );
    expect(again).toMatchObject({ workflowId: first.workflowId, isNew: false });

    const [cancelled, failed] = inEveryShard(1).slice(3, 5);
    await store.create(meta(cancelled), DIAMOND_GRAPH);
    expect(await store.cancel(cancelled)).toEqual({ outcome: 'cancelled' });
    expect((await store.get(cancelled))?.status).toBe(WorkflowStatus.Cancelled);

    await store.create(meta(failed), DIAMOND_GRAPH);
    const begun = await store.beginStep(failed, 'a', 1);
    if (begun.outcome !== 'run') throw new Error(begun.outcome);
    await store.failStep({
      workflowId: failed,
      stepId: 'a',
      runToken: begun.runToken,
      error: 'boom',
      durationMs: 1,
      retryDelayMs: null,
    });
    expect((await store.get(failed))?.status).toBe(WorkflowStatus.Failed);
    expect(await store.resume(failed)).toMatchObject({ outcome: 'resumed' });
    for (const stepId of STEPS) await runStep(failed, stepId);
    expect((await store.get(failed))?.status).toBe(WorkflowStatus.Completed);

    const replay = await store.replay({
      ...meta(store.newWorkflowId({ replayOf: failed })),
      replayOf: { workflowId: failed, fromStep: 'b' },
    });
    expect(replay).toMatchObject({ outcome: 'created', reusedSteps: ['a', 'c'] });
    if (replay.outcome !== 'created') return;
    await runStep(replay.workflowId, 'b');
    await runStep(replay.workflowId, 'd');
    expect((await store.get(replay.workflowId))?.status).toBe(WorkflowStatus.Completed);
    expect(await store.output(replay.workflowId, 'a')).toEqual({ html: 'x'.repeat(500) });
  });

  it('goes on through a failover: a killed primary’s replica takes over, every workflow completes, no completed step runs twice', async () => {
    const ids = inEveryShard(2);
    for (const id of ids) await store.create(meta(id), DIAMOND_GRAPH);
    await Promise.all(ids.map((id) => runStep(id, 'a')));

    // The primary of the first workflow's shard, once its replica has what it acknowledged: the
    // failover itself is what is tested, not Redis's asynchronous replication (see docker/README).
    const victim = await cluster.primaryOf(store.keys.workflow(ids[0]));
    await cluster.untilReplicated(victim);
    const killed = cluster.kill(victim);
    // Transitions sent while the primary is gone wait for its replica's promotion.
    const rest = Promise.all(
      ids.map(async (id) => {
        for (const stepId of ['b', 'c', 'd']) await runStep(id, stepId);
      }),
    );
    await killed;
    await cluster.untilSettled();
    await rest;

    for (const id of ids) {
      expect((await store.get(id))?.status).toBe(WorkflowStatus.Completed);
      expect(await completions(id)).toEqual({ a: 1, b: 1, c: 1, d: 1 });
    }
    // The promoted replica serves the store's functions without loading them again.
    const promoted = await cluster.primaryOf(store.keys.workflow(ids[0]));
    expect(promoted).not.toBe(victim);
  }, 60_000);
});

import { SessionMemoryKeys } from '@app/agents/session-memory-keys';
import { AgentLifecycle, WorkflowStatus, agentStepsQueue, queueKeyPrefix } from '@app/contracts';
import { Job, Queue, Worker } from 'bullmq';
import { AgentDirectory } from './agent-directory';
import { StepQueuePartitions } from './step-queue-partitions';
import { DIAMOND_GRAPH } from './testing/diamond-graph';
import * as format1 from './testing/format-1.fixture.json';
import { useTestStore } from './testing/test-store';
import { WorkflowStore } from './workflow-store';
import { STORE_FORMAT_VERSION } from './workflow-store-format';

/**
 * The fixture holds every key the format-1 store (commit 4b0e31a, before sharding) wrote for two
 * DIAMOND workflows (a → b ‖ c → d), dumped by type: `running` with step a completed (its output
 * large, so stored by reference) and an idempotency key, `finished` with every step completed.
 */
type FixtureKey = { key: string; type: string; value: unknown };

describe('WorkflowStoreFormat (real Redis)', () => {
  const testing = useTestStore({ largeOutputBytes: 100 });

  /** Writes the fixture's keys under the spec's prefix, as the format-1 store left them. */
  async function writeFormat1(): Promise<void> {
    const { redis, prefix } = testing;
    for (const { key, type, value } of format1.keys as FixtureKey[]) {
      const at = `${prefix}:${key}`;
      if (type === 'hash') await redis.hset(at, value as Record<string, string>);
      else if (type === 'list') await redis.rpush(at, ...(value as string[]));
      else if (type === 'zset') {
        const pairs = value as string[];
        for (let i = 0; i < pairs.length; i += 2) await redis.zadd(at, pairs[i + 1], pairs[i]);
      } else if (type === 'stream')
        for (const fields of value as string[][]) await redis.xadd(at, '*', ...fields);
      else await redis.set(at, value as string);
    }
  }

  async function run(store: WorkflowStore, workflowId: string, stepId: string): Promise<void> {
    const begun = await store.beginStep(workflowId, stepId, 1);
    if (begun.outcome !== 'run') throw new Error(`${stepId}: ${begun.outcome}`);
    await store.completeStep({
      workflowId,
      stepId,
      graphId: begun.graphId,
      runToken: begun.runToken,
      output: { stepId, dependencies: begun.dependencies },
      durationMs: 2,
      llmCalls: 0,
      llmTokens: 0,
    });
  }

  it('moves a format-1 deployment’s workflows into their shards, and a running one completes after the upgrade', async () => {
    const { store, redis, prefix } = testing;
    const { running, finished } = format1;
    await writeFormat1();
    const eventsBefore = await redis.llen(`${prefix}:wf:${running}:events`);
    const changesBefore = await redis.xlen(`${prefix}:workflow-changes`);

    // Two processes start at once: one moves the data, the other waits for it.
    const other = new WorkflowStore(redis, { prefix, finishedTtlSeconds: 3600, largeOutputBytes: 100 });
    const said: string[] = [];
    await Promise.all([
      store.ensureFormat((line) => said.push(line)),
      other.ensureFormat((line) => said.push(line)),
    ]);
    expect(said).toEqual(['moving 2 workflows of format 1 to format 2', 'moved 2 workflows to format 2']);
    await expect(other.ensureFormat()).resolves.toBeUndefined();

    expect(await redis.hgetall(store.keys.format)).toEqual({
      version: String(STORE_FORMAT_VERSION),
      shards: String(store.keys.shards),
    });
    // Nothing is left in the old layout.
    for (const pattern of ['wf:*', 'workflows*', 'graph:*', 'output:*', 'idempotency:*', 'workflow-changes'])
      expect(await redis.keys(`${prefix}:${pattern}`)).toEqual([]);

    // The running workflow, as it was, in its shard; its large output read back in full.
    const state = await store.get(running);
    expect(state).toMatchObject({ status: WorkflowStatus.Running, input: { topic: 'upgrade' } });
    expect(state?.steps.map((step) => step.lifecycle)).toEqual([
      AgentLifecycle.Completed,
      AgentLifecycle.Ready,
      AgentLifecycle.Ready,
      AgentLifecycle.Registered,
    ]);
    expect(await store.output(running, 'a')).toEqual({ html: 'x'.repeat(500) });
    // Its idempotency key still answers with it.
    const again = await store.create(
      testing.meta('DIAMOND', {
        workflowId: store.newWorkflowId({ tenantId: 't1', idempotencyKey: 'order-1' }),
      }),
      DIAMOND_GRAPH,
      'order-1',
    );
    expect(again).toMatchObject({ workflowId: running, isNew: false });

    // It goes on where it was: b and c get a's output, d theirs, and its events keep their numbers.
    await run(store, running, 'b');
    await run(store, running, 'c');
    const d = await store.beginStep(running, 'd', 1);
    expect(d).toMatchObject({ outcome: 'run' });
    if (d.outcome !== 'run') return;
    expect(d.dependencies.b).toMatchObject({ dependencies: { a: { html: 'x'.repeat(500) } } });
    await store.completeStep({
      workflowId: running,
      stepId: 'd',
      graphId: d.graphId,
      runToken: d.runToken,
      output: { done: true },
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
    });
    expect((await store.get(running))?.status).toBe(WorkflowStatus.Completed);
    const events = await store.eventsAfter(running, 0);
    expect(events.map((event) => event.eventId)).toEqual(events.map((_, index) => index + 1));
    expect(await redis.llen(store.keys.events(running))).toBeGreaterThan(eventsBefore);

    // The finished one is where retention walks, and the unprojected changes are in the outboxes.
    const finishedShard = store.keys.shardOf(finished);
    expect(
      await store.idsCreatedBefore(WorkflowStatus.Completed, finishedShard, Date.now() + 1, 0, 10),
    ).toEqual([finished]);
    const moved = await Promise.all(
      store.keys.allShards().map((shard) => redis.xrange(store.keys.changes(shard), '-', '+')),
    );
    const movedIds = moved.flat().map(([, fields]) => fields[fields.indexOf('workflowId') + 1]);
    // Format 1's entries, then the running workflow's completion.
    expect(movedIds.filter((id) => id === finished)).toHaveLength(3);
    expect(movedIds.length).toBe(changesBefore + 1);
  });

  it('refuses data in a newer format or spread over another number of shards, saying what to deploy', async () => {
    const { store, redis } = testing;
    await redis.hset(store.keys.format, 'version', STORE_FORMAT_VERSION + 1, 'shards', store.keys.shards);
    await expect(store.ensureFormat()).rejects.toThrow(
      `is in format ${STORE_FORMAT_VERSION + 1}, written by a newer deployment; this one reads format ${STORE_FORMAT_VERSION}: deploy that version or a later one`,
    );
    await redis.hset(store.keys.format, 'version', STORE_FORMAT_VERSION, 'shards', 8);
    await expect(store.ensureFormat()).rejects.toThrow(
      `is spread over 8 shards; this deployment has ${store.keys.shards} (WORKFLOW_SHARDS): deploy one built with 8`,
    );
    await redis.del(store.keys.format);
  });

  it('records the step queues’ partition count, raises it, and refuses a lower one; readers see the raise', async () => {
    const { store, redis } = testing;
    const partitions = new StepQueuePartitions(redis, store.keys);
    await store.ensureFormat();
    // No count recorded: the unsplit queue.
    expect(await partitions.count()).toBe(1);
    const said: string[] = [];
    await store.ensureFormat((line) => said.push(line), 4);
    expect(await redis.hget(store.keys.format, 'stepQueuePartitions')).toBe('4');
    expect(said).toEqual([
      'step queues split into 4 partitions (were 1); workers take the new ones within 10 s',
    ]);
    await store.ensureFormat((line) => said.push(line), 4);
    expect(said).toHaveLength(1);
    await expect(store.ensureFormat(undefined, 2)).rejects.toThrow(
      'are split into 4 partitions; STEP_QUEUE_PARTITIONS is 2: set it to 4 (a count is never lowered: steps queued in the partitions above 2 would never run)',
    );
    // A reader trusts its count for ten seconds, then takes the recorded one.
    expect(await partitions.count()).toBe(1);
    expect(await new StepQueuePartitions(redis, store.keys).count()).toBe(4);
    jest.useFakeTimers({ now: Date.now() + 11_000, doNotFake: ['nextTick', 'setImmediate', 'setTimeout'] });
    try {
      expect(await partitions.count()).toBe(4);
    } finally {
      jest.useRealTimers();
    }
    await redis.del(store.keys.format);
  });

  it('moves a format-2 deployment’s queues and agent directory under their hash tags, and their jobs run on', async () => {
    const { store, redis, prefix } = testing;
    const queueName = agentStepsQueue('echo', 1);
    // Format 2: BullMQ's keys under the plain prefix, and the directory in plain keys.
    const old = new Queue(queueName, { connection: redis, prefix });
    await old.add('ExecuteStep', { n: 1 }, { jobId: 'job-waiting' });
    await old.add('ExecuteStep', { n: 2 }, { jobId: 'job-delayed', delay: 300 });
    await old.upsertJobScheduler(
      'nightly',
      { pattern: '0 3 * * *' },
      { name: 'ExecuteStep', data: { n: 3 } },
    );
    await old.close();
    const agent = { name: 'echo', version: '1.0.0', description: 'echoes' };
    await redis.hset(`${prefix}:agents`, 'echo@1', JSON.stringify(agent));
    const echoes = { workerId: 'w1', name: 'echoes', host: 'h', pid: 1, concurrency: 1, heartbeatMs: 60_000 };
    const announced = { ...echoes, startedAt: new Date().toISOString(), agents: [agent] };
    await redis.hset(`${prefix}:workers`, 'w1', JSON.stringify(announced));
    await redis.zadd(`${prefix}:workers:heartbeats`, Date.now(), 'w1');
    await redis.hset(`${prefix}:session:s1`, 'siteId', 'site-1');
    await redis.expire(`${prefix}:session:s1`, 3600);
    await redis.rpush(`${prefix}:session:s1:history`, '{"workflowId":"w"}');
    await redis.hset(store.keys.format, 'version', 2, 'shards', store.keys.shards);

    const said: string[] = [];
    await store.ensureFormat((line) => said.push(line));
    expect(said).toEqual([
      expect.stringMatching(/^moved queue steps\.echo@1 \(\d+ keys\) under its hash tag$/),
      'moved 2 session keys under their sessions’ hash tags',
    ]);
    expect(await redis.hget(store.keys.format, 'version')).toBe(String(STORE_FORMAT_VERSION));
    // Nothing is left under the old names.
    for (const pattern of [`${queueName}:*`, 'agents', 'workers*', 'session:s1*'])
      expect(await redis.keys(`${prefix}:${pattern}`)).toEqual([]);
    // A session's keys, under its hash tag with their TTL.
    const sessions = new SessionMemoryKeys(prefix);
    expect(await redis.hget(sessions.session('s1'), 'siteId')).toBe('site-1');
    expect(await redis.ttl(sessions.session('s1'))).toBeGreaterThan(3500);
    expect(await redis.lrange(sessions.history('s1'), 0, -1)).toEqual(['{"workflowId":"w"}']);

    // The directory reads as before; the jobs, the waiting and the delayed one, run on the new keys.
    const directory = new AgentDirectory(redis, prefix);
    expect((await directory.catalogue()).map(({ name }) => name)).toEqual(['echo']);
    expect(await directory.workers()).toMatchObject([{ workerId: 'w1', status: 'alive' }]);
    const options = { connection: redis, prefix: queueKeyPrefix(prefix, queueName) };
    const queue = new Queue(queueName, options);
    expect((await queue.getJobSchedulers()).map(({ key }) => key)).toEqual(['nightly']);
    const ran: string[] = [];
    let allRan: () => void;
    const bothRan = new Promise<void>((resolve) => (allRan = resolve));
    const connection = redis.duplicate({ maxRetriesPerRequest: null });
    const worker = new Worker(
      queueName,
      async (job: Job) => {
        ran.push(job.id!);
        if (ran.length === 2) allRan();
      },
      { ...options, connection },
    );
    await bothRan;
    await worker.close();
    await connection.quit();
    expect(ran.sort()).toEqual(['job-delayed', 'job-waiting']);
    await queue.obliterate({ force: true });
    await queue.close();
  });
});

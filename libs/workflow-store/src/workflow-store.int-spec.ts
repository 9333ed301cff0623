import { randomUUID } from 'node:crypto';
import { AgentLifecycle, LogLevel, WorkflowEventType, WorkflowStatus } from '@app/contracts';
import Redis from 'ioredis';
import { DIAMOND_GRAPH } from './testing/diamond-graph';
import { compileWorkflowGraph, pinWorkflowGraph } from './workflow-graph';
import { parseWorkflowChange } from './workflow-changes';
import { WorkflowKeys } from './workflow-keys';
import { WORKFLOW_LIBRARY, WorkflowScript } from './workflow-scripts.lua';
import { eventMessageWorkflowId, parseEventMessage } from './workflow-events.wire';
import { WorkflowMeta } from './workflow-records';
import { WorkflowStore } from './workflow-store';
import { useTestStore } from './testing/test-store';

const diamond = DIAMOND_GRAPH;

describe('WorkflowStore (real Redis)', () => {
  const testing = useTestStore();
  const { prefix, published, messages } = testing;
  let redis: Redis;
  let store: WorkflowStore;

  const meta = (): WorkflowMeta => testing.meta('DIAMOND', { input: { list: [] } });
  /** A workflow started with an idempotency key: its id is made in the key's shard. */
  const keyed = (idempotencyKey: string, tenantId = 't1'): WorkflowMeta => ({
    ...meta(),
    tenantId,
    workflowId: store.newWorkflowId({ tenantId, idempotencyKey }),
  });

  beforeAll(() => ({ redis, store } = testing));

  async function runStep(workflowId: string, stepId: string, output: unknown) {
    const begun = await store.beginStep(workflowId, stepId, 1);
    if (begun.outcome !== 'run') throw new Error(`expected to run ${stepId}, got ${begun.outcome}`);
    return { begun, completed: await completeBegun(workflowId, stepId, begun, output) };
  }

  /** Completes a step begun with `begun`, as its worker would. */
  function completeBegun(
    workflowId: string,
    stepId: string,
    begun: { graphId: string; runToken: string },
    output: unknown,
  ) {
    return store.completeStep({
      workflowId,
      stepId,
      graphId: begun.graphId,
      runToken: begun.runToken,
      output,
      durationMs: 5,
      llmCalls: 1,
      llmTokens: 10,
    });
  }

  /** Begins a step and fails it for good (a validation error). */
  async function failForGood(workflowId: string, stepId: string, attempt = 1) {
    const begun = await store.beginStep(workflowId, stepId, attempt);
    if (begun.outcome !== 'run') throw new Error(`expected to run ${stepId}, got ${begun.outcome}`);
    return store.failStep({
      workflowId,
      stepId,
      runToken: begun.runToken,
      error: 'ValidationError: no',
      durationMs: 1,
      retryDelayMs: null,
    });
  }

  /** Calls a state-machine function exactly as the store does (ioredis may resend such a call). */
  function callFunction(workflowId: string, script: WorkflowScript, args: (string | number)[]) {
    const { keys } = store;
    const shard = keys.shardOf(workflowId);
    const declared = [keys.workflow(workflowId)];
    const fn = WORKFLOW_LIBRARY.functionName(script);
    return redis.fcall(
      fn,
      declared.length,
      ...declared,
      keys.shardBase(shard),
      workflowId,
      new Date().toISOString(),
      Date.now(),
      ...args,
    );
  }

  it('writes a workflow where WorkflowKeys names its keys, in TypeScript and in the function library alike', async () => {
    const keys = new WorkflowKeys(prefix);
    expect(store.keys).toEqual(keys);
    const first = keyed('layout-check');
    const { workflowId } = await store.create(first, diamond, 'layout-check');
    const shard = keys.shardOf(workflowId);
    const graphId = (await redis.hget(keys.workflow(workflowId), 'graphId')) as string;
    expect(graphId).toMatch(/^[0-9a-f]{40}$/);
    const written = [keys.workflow(workflowId), keys.events(workflowId), keys.graph(graphId, shard)];
    expect(await redis.exists(...written)).toBe(3);
    // Every key of the workflow carries its shard's hash tag: one slot on a Redis Cluster.
    const idempotency = keys.idempotency(first.tenantId, 'layout-check');
    const shardKeys = [
      keys.changes(shard),
      ...Object.values(WorkflowStatus).map((status) => keys.statusIndex(status, shard)),
    ];
    for (const key of [...written, idempotency, ...shardKeys])
      expect(key.startsWith(`${prefix}:{s${shard}}:`)).toBe(true);
    expect(await redis.zscore(keys.statusIndex(WorkflowStatus.Pending, shard), workflowId)).not.toBeNull();
    expect(await redis.get(idempotency)).toContain(workflowId);
    const changes = await redis.xrange(keys.changes(shard), '-', '+');
    expect(changes.some(([, fields]) => fields.includes(workflowId))).toBe(true);
    // The channels the store publishes on are the ones its subscribers listen to.
    expect(messages.some((message) => eventMessageWorkflowId(message) === workflowId)).toBe(true);
    await runStep(workflowId, 'a', { ok: true });
    expect(await redis.zscore(keys.statusIndex(WorkflowStatus.Pending, shard), workflowId)).toBeNull();
    expect(await redis.zscore(keys.statusIndex(WorkflowStatus.Running, shard), workflowId)).not.toBeNull();
  });

  it('resumes a READY step whose job was taken while the workflow was FAILED with its next attempt (a new job id)', async () => {
    const { workflowId } = await store.create(meta(), diamond);
    const a = await store.beginStep(workflowId, 'a', 1);
    if (a.outcome !== 'run') throw new Error('expected to run a');
    await store.completeStep({
      workflowId,
      stepId: 'a',
      graphId: a.graphId,
      runToken: a.runToken,
      output: {},
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
    });
    await failForGood(workflowId, 'b');
    // c's job arrives after b failed the workflow: refused, and its id (attempt 1) is spent.
    expect(await store.beginStep(workflowId, 'c', 1)).toMatchObject({
      outcome: 'inactive',
      status: 'FAILED',
    });
    const resumed = await store.resume(workflowId);
    expect(
      resumed.outcome === 'resumed' && resumed.readySteps.map(({ stepId, attempt }) => [stepId, attempt]),
    ).toEqual([
      ['b', 2],
      ['c', 2],
    ]);
    expect(await store.beginStep(workflowId, 'c', 2)).toMatchObject({ outcome: 'run' });
  });

  it('records every status change in the outbox stream with the id of its last event and the new status, and nothing else', async () => {
    const { workflowId } = await store.create(meta(), diamond);
    const lastEventId = async () => (await store.get(workflowId))?.lastEventId;
    const expected = [await lastEventId()]; // PENDING
    const begun = await store.beginStep(workflowId, 'a', 1);
    if (begun.outcome !== 'run') throw new Error('expected to run');
    expected.push(await lastEventId()); // RUNNING
    await store.completeStep({
      workflowId,
      stepId: 'a',
      graphId: begun.graphId,
      runToken: begun.runToken,
      output: {},
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
    });
    await store.appendLog({ workflowId, level: LogLevel.Info, message: 'not a status change' });
    await failForGood(workflowId, 'b');
    expected.push(await lastEventId()); // FAILED
    await store.resume(workflowId);
    expected.push(await lastEventId()); // RUNNING again
    await store.cancel(workflowId);
    expected.push(await lastEventId()); // CANCELLED

    const changes = (await redis.xrange(store.keys.changes(store.keys.shardOf(workflowId)), '-', '+'))
      .map(parseWorkflowChange)
      .filter((change) => change.workflowId === workflowId);
    expect(changes.map((change) => change.seq)).toEqual(expected);
    expect(new Set(expected).size).toBe(5);
    expect(changes.map((change) => change.status)).toEqual([
      WorkflowStatus.Pending,
      WorkflowStatus.Running,
      WorkflowStatus.Failed,
      WorkflowStatus.Running,
      WorkflowStatus.Cancelled,
    ]);
  });

  it('says RUNNING to live clients when the first step begins, before any step completes', async () => {
    const { workflowId } = await store.create(meta(), diamond);
    const begun = await store.beginStep(workflowId, 'a', 1);
    if (begun.outcome !== 'run') throw new Error('expected to run');
    const progress = async () =>
      (await store.eventsAfter(workflowId, 0)).filter((event) => event.type === WorkflowEventType.Progress);
    expect(await progress()).toEqual([
      expect.objectContaining({ status: WorkflowStatus.Pending, completedSteps: 0 }),
      expect.objectContaining({
        status: WorkflowStatus.Running,
        completedSteps: 0,
        totalSteps: 4,
        percent: 0,
      }),
    ]);
    // Its second step's begin changes nothing: no second status event.
    await completeBegun(workflowId, 'a', begun, {});
    await store.beginStep(workflowId, 'b', 1);
    expect(
      (await progress()).map((event) => event.type === WorkflowEventType.Progress && event.completedSteps),
    ).toEqual([0, 0, 1]);
  });

  it('runs a diamond: readies b and c together, d after both, with every ancestor output', async () => {
    const { workflowId, readySteps } = await store.create(meta(), diamond);
    expect(readySteps).toEqual([{ stepId: 'a', attempt: 1, queue: 'steps.echo@1' }]);
    expect((await store.get(workflowId))?.status).toBe(WorkflowStatus.Pending);
    expect((await runStep(workflowId, 'a', { from: 'a', list: [] })).completed).toEqual({
      outcome: 'advanced',
      status: 'RUNNING',
      readySteps: [
        { stepId: 'b', attempt: 1, queue: 'steps.echo@1' },
        { stepId: 'c', attempt: 1, queue: 'steps.echo@1' },
      ],
      claimed: null,
    });
    expect((await runStep(workflowId, 'b', 'B')).completed).toMatchObject({ readySteps: [] });
    const last = await runStep(workflowId, 'c', 'C');
    expect(last.completed).toMatchObject({ readySteps: [{ stepId: 'd', attempt: 1 }] });
    const d = await runStep(workflowId, 'd', { done: true });
    expect(d.begun).toMatchObject({ dependencies: { a: { from: 'a', list: [] }, b: 'B', c: 'C' } });
    expect(d.completed).toEqual({ outcome: 'advanced', status: 'COMPLETED', readySteps: [], claimed: null });

    const state = await store.get(workflowId);
    expect(state).toMatchObject({
      status: WorkflowStatus.Completed,
      result: { d: { done: true } },
      input: { list: [] },
    });
    expect(state?.steps.map((step) => step.lifecycle)).toEqual(Array(4).fill(AgentLifecycle.Completed));
    expect(state?.steps.find((step) => step.stepId === 'd')?.dependsOn).toEqual(['b', 'c']);
    expect(state?.metrics).toMatchObject({ llmCalls: 4, llmTokens: 40, errorCount: 0 });
    // Each step keeps its own share, for a view of one step.
    expect(state?.steps.map(({ llmCalls, llmTokens }) => ({ llmCalls, llmTokens }))).toEqual(
      Array(4).fill({ llmCalls: 1, llmTokens: 10 }),
    );
    expect(state?.metrics.totalDurationMs).toEqual(expect.any(Number));

    const events = await store.eventsAfter(workflowId, 0);
    expect(events.map((event) => event.eventId)).toEqual(events.map((_, index) => index + 1));
    expect(events.at(-1)).toMatchObject({
      type: WorkflowEventType.Complete,
      status: 'COMPLETED',
      result: { d: { done: true } },
    });
    expect((await store.eventsAfter(workflowId, events.length - 2)).map((event) => event.eventId)).toEqual([
      events.length - 1,
      events.length,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(published.filter((event) => event.workflowId === workflowId)).toEqual(events);
  });

  it('loads its Redis function library again when Redis lost it (a restart without persistence)', async () => {
    await store.create(meta(), diamond);
    await redis.call('FUNCTION', 'DELETE', WORKFLOW_LIBRARY.name);
    const { workflowId } = await store.create(meta(), diamond);
    expect((await runStep(workflowId, 'a', 'A')).completed).toMatchObject({ outcome: 'advanced' });
  });

  it('says it needs Redis 7 when Redis has no functions', async () => {
    const old = {
      call: () =>
        Promise.reject(new Error("ERR unknown command 'FUNCTION', with args beginning with: 'LOAD'")),
    } as unknown as Redis;
    await expect(
      new WorkflowStore(old, { prefix, finishedTtlSeconds: 1 }).create(meta(), diamond),
    ).rejects.toThrow(/needs Redis 7 or newer/);
  });

  it('answers a transition resent after a lost connection as it answered it the first time', async () => {
    // ioredis resends a command whose answer a dropped connection lost; it may have run already.
    const { workflowId } = await store.create(meta(), diamond);
    const twice = async (script: WorkflowScript, args: (string | number)[]) => {
      const first = await callFunction(workflowId, script, args);
      expect(await callFunction(workflowId, script, args)).toEqual(first);
      return first;
    };
    const a = await store.beginStep(workflowId, 'a', 1, 'job-1');
    if (a.outcome !== 'run') throw new Error('expected to run');
    // Completing a claims b for the same job and readies c: the resent call gets the same claim.
    expect(
      await twice('complete', ['a', a.runToken, '"A"', 5, 0, 0, 3600, 'token-b', 'job-1', 'b,c']),
    ).toEqual(['RUNNING', 'b', 1, 'c', 1, '', 'echo', 1, 'a', '"A"']);
    expect(await twice('begin', ['c', 1, 'token-c', 'job-2'])).toEqual([
      'RUN',
      a.graphId,
      expect.stringContaining(`"workflowId":"${workflowId}"`),
      'echo',
      1,
      'a',
      '"A"',
    ]);
    expect(await twice('fail', ['c', 'token-c', 'NetworkError: down', 3, 1000, 3600])).toEqual(['RETRY']);
    const state = await store.get(workflowId);
    expect(state?.metrics).toMatchObject({ errorCount: 1, retryCount: 1 });
    const lifecycles = (await store.eventsAfter(workflowId, 0)).flatMap((event) =>
      event.type === WorkflowEventType.AgentStatus ? [`${event.stepId} ${event.lifecycle}`] : [],
    );
    // Each change happened, and was told, once.
    expect(lifecycles.filter((line) => line === 'a COMPLETED')).toHaveLength(1);
    expect(lifecycles.filter((line) => line === 'c EXECUTING')).toHaveLength(1);
    expect(lifecycles.filter((line) => line === 'c READY')).toHaveLength(2); // readied, then retried
    expect(await twice('cancel', ['by test', 3600, 'request-1', store.keys.cancellationsChannel])).toEqual([
      'CANCELLED',
    ]);
    // Another request is told the truth: the workflow had already ended.
    expect(await store.cancel(workflowId)).toEqual({ outcome: 'terminal', status: 'CANCELLED' });
  });

  it('answers a resent resume as it answered the first', async () => {
    const { workflowId } = await store.create(meta(), diamond);
    await failForGood(workflowId, 'a');
    const graphId = await redis.hget(store.keys.workflow(workflowId), 'graphId');
    expect(await callFunction(workflowId, 'resume', ['request-1'])).toEqual(['RESUMED', graphId, 'a', 2]);
    expect(await callFunction(workflowId, 'resume', ['request-1'])).toEqual(['RESUMED', graphId, 'a', 2]);
    expect(await store.resume(workflowId)).toEqual({ outcome: 'not-failed', status: 'RUNNING' });
    const resumedLogs = (await store.eventsAfter(workflowId, 0)).filter(
      (event) => event.type === WorkflowEventType.Log && event.message === 'workflow resumed',
    );
    expect(resumedLogs).toHaveLength(1);
  });

  it('stores a graph once for all its workflows, and again if Redis lost it', async () => {
    // The graph and the hash its new workflows start as.
    // Each shard keeps its own copy: these workflows are all in shard 0.
    const inShard = () => ({ ...meta(), workflowId: store.keys.newWorkflowId(0) });
    const graphKeys = async () => (await redis.keys(`${store.keys.shardBase(0)}:graph:*`)).sort();
    const first = await store.create(inShard(), diamond);
    await store.create(inShard(), diamond);
    const stored = await graphKeys();
    expect(stored).toEqual([expect.stringMatching(/:graph:[0-9a-f]{40}$/), expect.stringMatching(/:new$/)]);
    for (const lost of [stored, [stored[1]]]) {
      await redis.del(...lost);
      const again = await store.create(inShard(), diamond);
      expect(again).toMatchObject({ isNew: true, readySteps: [{ stepId: 'a', attempt: 1 }] });
      expect(await graphKeys()).toEqual(stored);
    }
    const second = await store.create(meta(), diamond);
    // A store that never wrote it reads it back from Redis.
    const fresh = new WorkflowStore(redis, { prefix, finishedTtlSeconds: 3600 });
    expect((await fresh.get(second.workflowId))?.steps.map((step) => step.dependsOn)).toEqual([
      [],
      ['a'],
      ['a'],
      ['b', 'c'],
    ]);
    expect((await runStep(first.workflowId, 'a', 'A')).completed).toMatchObject({ outcome: 'advanced' });
  });

  it('refuses to complete a step with a stale run token, and does not re-run a completed step', async () => {
    const { workflowId } = await store.create(meta(), diamond);
    const first = await store.beginStep(workflowId, 'a', 1);
    const second = await store.beginStep(workflowId, 'a', 1);
    if (first.outcome !== 'run' || second.outcome !== 'run') throw new Error('expected both to run');
    const stale = await store.completeStep({
      workflowId,
      stepId: 'a',
      graphId: first.graphId,
      runToken: first.runToken,
      output: 1,
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
    });
    expect(stale).toEqual({ outcome: 'stale' });
    await store.completeStep({
      workflowId,
      stepId: 'a',
      graphId: second.graphId,
      runToken: second.runToken,
      output: 2,
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
    });
    expect(await store.beginStep(workflowId, 'a', 1)).toEqual({
      outcome: 'already-completed',
      readySteps: [
        { stepId: 'b', attempt: 1, queue: 'steps.echo@1' },
        { stepId: 'c', attempt: 1, queue: 'steps.echo@1' },
      ],
    });
  });

  it('records a retry, then a final failure with the error event', async () => {
    const { workflowId } = await store.create(meta(), diamond);
    const first = await store.beginStep(workflowId, 'a', 1);
    if (first.outcome !== 'run') throw new Error('expected to run');
    expect(
      await store.failStep({
        workflowId,
        stepId: 'a',
        runToken: first.runToken,
        error: 'NetworkError: down',
        durationMs: 3,
        retryDelayMs: 1000,
      }),
    ).toEqual({ outcome: 'retry' });
    // While it runs, the metrics are assembled from the step times and counters.
    expect((await store.get(workflowId))?.metrics).toEqual({
      totalDurationMs: null,
      agentDurationsMs: { a: 3 },
      llmCalls: 0,
      llmTokens: 0,
      errorCount: 1,
      retryCount: 1,
    });
    const second = await store.beginStep(workflowId, 'a', 2);
    if (second.outcome !== 'run') throw new Error('expected to run');
    expect(
      await store.failStep({
        workflowId,
        stepId: 'a',
        runToken: second.runToken,
        error: 'ValidationError: bad',
        durationMs: 3,
        retryDelayMs: null,
      }),
    ).toEqual({ outcome: 'failed' });
    const state = await store.get(workflowId);
    expect(state).toMatchObject({
      status: 'FAILED',
      error: 'a: ValidationError: bad',
      metrics: { errorCount: 2, retryCount: 1, agentDurationsMs: { a: 6 } },
    });
    expect(state?.metrics.totalDurationMs).toEqual(expect.any(Number));
    expect(state?.steps[0]).toMatchObject({ lifecycle: 'FAILED', attempts: 2 });
    const events = await store.eventsAfter(workflowId, 0);
    expect(events.at(-1)).toMatchObject({ type: 'error', stepId: 'a', message: 'a: ValidationError: bad' });
    expect(events.some((event) => event.type === 'log' && event.message.includes('retry 1 in 1000 ms'))).toBe(
      true,
    );
    const shard = store.keys.shardOf(workflowId);
    expect(await store.idsCreatedBefore(WorkflowStatus.Failed, shard, Date.now() + 1, 0, 100)).toContain(
      workflowId,
    );
  });

  it('cancels a running workflow once, refuses a finished one, and ignores the late step result', async () => {
    const { workflowId } = await store.create(meta(), diamond);
    const begun = await store.beginStep(workflowId, 'a', 1);
    if (begun.outcome !== 'run') throw new Error('expected to run');
    expect(await store.cancel(workflowId)).toEqual({ outcome: 'cancelled' });
    expect(await store.cancel(workflowId)).toEqual({ outcome: 'terminal', status: 'CANCELLED' });
    expect(await store.cancel(randomUUID())).toEqual({ outcome: 'missing' });
    expect(
      await store.completeStep({
        workflowId,
        stepId: 'a',
        graphId: begun.graphId,
        runToken: begun.runToken,
        output: 1,
        durationMs: 1,
        llmCalls: 0,
        llmTokens: 0,
      }),
    ).toEqual({ outcome: 'inactive', status: 'CANCELLED' });
    expect((await store.eventsAfter(workflowId, 0)).at(-1)).toMatchObject({
      type: 'complete',
      status: 'CANCELLED',
      result: null,
    });
  });

  it('returns the same workflow for a repeated idempotency key of the same tenant only', async () => {
    const first = await store.create(keyed('key-1'), diamond, 'key-1');
    const again = await store.create(keyed('key-1'), diamond, 'key-1');
    const otherTenant = await store.create(keyed('key-1', 't2'), diamond, 'key-1');
    expect(again).toEqual({
      workflowId: first.workflowId,
      isNew: false,
      readySteps: [{ stepId: 'a', attempt: 1, queue: 'steps.echo@1' }],
    });
    expect(otherTenant.isNew).toBe(true);
  });

  it("refuses a workflow whose id is not in its idempotency key's shard, writing nothing", async () => {
    const keys = store.keys;
    const elsewhere = keys.newWorkflowId((keys.idempotencyShard('t1', 'key-2') + 1) % keys.shards);
    await expect(store.create({ ...meta(), workflowId: elsewhere }, diamond, 'key-2')).rejects.toThrow(
      `workflow ${elsewhere} is not in the shard of its idempotency key: make its id with newWorkflowId`,
    );
    expect(await redis.exists(keys.workflow(elsewhere), keys.idempotency('t1', 'key-2'))).toBe(0);
  });

  it('numbers log events after the state events and keeps their metadata', async () => {
    const { workflowId } = await store.create(meta(), diamond);
    const before = (await store.eventsAfter(workflowId, 0)).length;
    const id = await store.appendLog({
      workflowId,
      level: LogLevel.Info,
      message: 'hello',
      metadata: { n: [1, 2] },
      logId: '5f0c4a47-9d3c-4b0e-9d55-3d1d6f0f6e1a',
    });
    expect(id).toBe(before + 1);
    expect(await store.eventsAfter(workflowId, before)).toEqual([
      expect.objectContaining({
        type: 'log',
        message: 'hello',
        metadata: { n: [1, 2] },
        stepId: null,
        logId: '5f0c4a47-9d3c-4b0e-9d55-3d1d6f0f6e1a',
        eventId: before + 1,
      }),
    ]);
    expect(await store.appendLog({ workflowId: randomUUID(), level: LogLevel.Info, message: 'x' })).toBe(0);
  });

  it('names the workflow at the start of every published message, for relays that skip unwatched ones', async () => {
    const { workflowId } = await store.create(meta(), diamond);
    await runStep(workflowId, 'a', 'A');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(messages.some((message) => eventMessageWorkflowId(message) === workflowId)).toBe(true);
    for (const message of messages)
      expect(eventMessageWorkflowId(message)).toBe(parseEventMessage(message)[0].workflowId);
    expect(eventMessageWorkflowId('[{"eventId":1}]')).toBe('');
  });

  it('replays the events after any id, however many transitions back it lies', async () => {
    const { workflowId } = await store.create(meta(), diamond);
    const created = (await store.eventsAfter(workflowId, 0)).length;
    // One transition each: more than a page of them.
    for (let n = 1; n <= 250; n++)
      await store.appendLog({ workflowId, level: LogLevel.Info, message: `line ${n}` });
    const all = await store.eventsAfter(workflowId, 0);
    expect(all.map((event) => event.eventId)).toEqual(
      Array.from({ length: created + 250 }, (_, index) => index + 1),
    );
    expect(all.every((event) => event.workflowId === workflowId && typeof event.timestamp === 'string')).toBe(
      true,
    );
    for (const after of [created, created + 7, created + 150, created + 249, created + 250]) {
      const replayed = await store.eventsAfter(workflowId, after);
      expect(replayed.map((event) => event.eventId)).toEqual(all.slice(after).map((event) => event.eventId));
    }
    expect(await store.eventsAfter(randomUUID(), 0)).toEqual([]);
  });

  it('resumes a failed workflow from the failed step, keeping completed outputs', async () => {
    const { workflowId } = await store.create(meta(), diamond);
    await runStep(workflowId, 'a', 'A');
    await runStep(workflowId, 'b', 'B');
    await failForGood(workflowId, 'c');
    expect(await store.resume(randomUUID())).toEqual({ outcome: 'missing' });
    expect(await store.resume(workflowId)).toEqual({
      outcome: 'resumed',
      readySteps: [{ stepId: 'c', attempt: 2, queue: 'steps.echo@1' }],
    });
    expect(await store.resume(workflowId)).toEqual({ outcome: 'not-failed', status: 'RUNNING' });
    expect(await store.beginStep(workflowId, 'a', 1)).toMatchObject({ outcome: 'already-completed' });
    const resumed = await store.beginStep(workflowId, 'c', 2);
    expect(resumed).toMatchObject({ outcome: 'run', firstAttempt: 2 });
    if (resumed.outcome !== 'run') throw new Error('expected to run');
    await store.completeStep({
      workflowId,
      stepId: 'c',
      graphId: resumed.graphId,
      runToken: resumed.runToken,
      output: 'C',
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
    });
    const d = await runStep(workflowId, 'd', 'D');
    expect(d.begun).toMatchObject({ dependencies: { a: 'A', b: 'B', c: 'C' } });
    const state = await store.get(workflowId);
    expect(state).toMatchObject({ status: 'COMPLETED', error: null });
    // The failed attempt's time and error still count after the resume.
    expect(state?.metrics).toMatchObject({
      agentDurationsMs: { a: 5, b: 5, c: 2, d: 5 },
      llmCalls: 3,
      llmTokens: 30,
      errorCount: 1,
      retryCount: 0,
    });
  });

  it('stores a large output once by reference and hands the full output to later steps', async () => {
    const small = new WorkflowStore(redis, { prefix, finishedTtlSeconds: 3600, largeOutputBytes: 1000 });
    const big = { html: 'x'.repeat(5000) };
    // In one shard, where a large output is stored once.
    const first = await small.create(meta(), diamond);
    const inShard = { ...meta(), workflowId: small.keys.newWorkflowId(small.keys.shardOf(first.workflowId)) };
    const second = await small.create(inShard, diamond);
    for (const { workflowId } of [first, second]) {
      const a = await small.beginStep(workflowId, 'a', 1);
      if (a.outcome !== 'run') throw new Error('expected to run');
      await small.completeStep({
        workflowId,
        stepId: 'a',
        graphId: a.graphId,
        runToken: a.runToken,
        output: big,
        durationMs: 1,
        llmCalls: 0,
        llmTokens: 0,
      });
    }
    const raw = await redis.hget(store.keys.workflow(first.workflowId), 'out:a');
    expect(JSON.parse(raw as string)).toEqual({
      $ref: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      bytes: 5011,
    });
    expect(await redis.keys(`${prefix}:*:output:*`)).toHaveLength(1);
    expect(await small.output(first.workflowId, 'a')).toEqual(big);
    const b = await small.beginStep(first.workflowId, 'b', 1);
    expect(b).toMatchObject({ outcome: 'run', dependencies: { a: big } });
    const events = await small.eventsAfter(first.workflowId, 0);
    expect(Math.max(...events.map((event) => JSON.stringify(event).length))).toBeLessThan(1000);
  });

  it('claims the first step a completion readies for the same job, and hands the claim back if the job comes again', async () => {
    const { workflowId } = await store.create(meta(), diamond);
    const a = await store.beginStep(workflowId, 'a', 1, 'job-1');
    if (a.outcome !== 'run') throw new Error('expected to run');
    const completed = await store.completeStep({
      workflowId,
      stepId: 'a',
      graphId: a.graphId,
      runToken: a.runToken,
      output: 'A',
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
      claimForJob: { jobId: 'job-1', meta: a.meta, servedQueues: new Set(['steps.echo@1']) },
    });
    expect(completed).toMatchObject({
      outcome: 'advanced',
      readySteps: [{ stepId: 'c', attempt: 1 }],
      claimed: {
        stepId: 'b',
        agent: 'echo',
        meta: a.meta,
        dependencies: { a: 'A' },
        runToken: expect.any(String),
      },
    });
    const lifecycles = (await store.get(workflowId))?.steps.map((step) => [step.stepId, step.lifecycle]);
    expect(lifecycles).toEqual([
      ['a', 'COMPLETED'],
      ['b', 'EXECUTING'],
      ['c', 'READY'],
      ['d', 'REGISTERED'],
    ]);
    // The worker died while running b: its job is delivered again and gets b back to queue.
    expect(await store.beginStep(workflowId, 'a', 1, 'job-1')).toEqual({
      outcome: 'already-completed',
      readySteps: [
        { stepId: 'b', attempt: 1, queue: 'steps.echo@1' },
        { stepId: 'c', attempt: 1, queue: 'steps.echo@1' },
      ],
    });
    expect(await store.beginStep(workflowId, 'a', 1, 'job-2')).toEqual({
      outcome: 'already-completed',
      readySteps: [{ stepId: 'c', attempt: 1, queue: 'steps.echo@1' }],
    });
    // The queued b takes over; the dead worker's late result is refused.
    const retaken = await store.beginStep(workflowId, 'b', 1, 'job-3');
    expect(retaken.outcome).toBe('run');
    const claimed = completed.outcome === 'advanced' ? completed.claimed : null;
    expect(
      await store.completeStep({
        workflowId,
        stepId: 'b',
        graphId: a.graphId,
        runToken: claimed?.runToken ?? '',
        output: 'late',
        durationMs: 1,
        llmCalls: 0,
        llmTokens: 0,
      }),
    ).toEqual({ outcome: 'stale' });
  });

  it('claims only a successor whose agent the worker serves, and says why a step waits', async () => {
    const mixed = pinWorkflowGraph(
      compileWorkflowGraph(
        {
          type: 'MIXED',
          description: '',
          steps: [
            { id: 'a', agent: 'echo', dependsOn: [] },
            { id: 'b', agent: 'elsewhere', dependsOn: ['a'] },
          ],
        },
        () => null,
      ),
      () => 2,
    );
    const { workflowId, readySteps } = await store.create(meta(), mixed);
    expect(readySteps).toEqual([{ stepId: 'a', attempt: 1, queue: 'steps.echo@2' }]);
    const a = await store.beginStep(workflowId, 'a', 1, 'job-1');
    if (a.outcome !== 'run') throw new Error('expected to run');
    expect(a.queue).toBe('steps.echo@2');
    const completed = await store.completeStep({
      workflowId,
      stepId: 'a',
      graphId: a.graphId,
      runToken: a.runToken,
      output: 'A',
      durationMs: 1,
      llmCalls: 0,
      llmTokens: 0,
      claimForJob: { jobId: 'job-1', meta: a.meta, servedQueues: new Set(['steps.echo@2']) },
    });
    expect(completed).toMatchObject({
      outcome: 'advanced',
      readySteps: [{ stepId: 'b', attempt: 1, queue: 'steps.elsewhere@2' }],
      claimed: null,
    });
    expect(await store.markWaiting(workflowId, ['b'], 'no live worker serves elsewhere@2')).toBe(1);
    // The same reason again changes nothing and says nothing.
    expect(await store.markWaiting(workflowId, ['b'], 'no live worker serves elsewhere@2')).toBe(0);
    const waiting = await store.get(workflowId);
    expect(waiting?.steps[1]).toMatchObject({
      lifecycle: 'READY',
      waitingFor: 'no live worker serves elsewhere@2',
    });
    const events = await store.eventsAfter(workflowId, 0);
    expect(events.filter((event) => 'waitingFor' in event)).toEqual([
      expect.objectContaining({
        stepId: 'b',
        lifecycle: 'READY',
        waitingFor: 'no live worker serves elsewhere@2',
      }),
    ]);
    // A worker appears and begins it: nothing holds it back any more.
    expect(await store.beginStep(workflowId, 'b', 1, 'job-2')).toMatchObject({ outcome: 'run' });
    expect((await store.get(workflowId))?.steps[1]).toMatchObject({
      lifecycle: 'EXECUTING',
      waitingFor: null,
    });
  });
});

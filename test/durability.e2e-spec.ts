import { randomUUID } from 'node:crypto';
import { AgentLifecycle, WorkflowEvent, WorkflowEventType, WorkflowStatus } from '@app/contracts';
import { RedisClient } from '@app/redis';
import Redis from 'ioredis';
import { AppProcess } from './support/app-process';
import { PrivateRedis } from './support/private-redis';
import { executionsOf } from './support/test-agents';
import { TEST_REDIS_URL, TestNamespace, connectTestRedis } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowProducer } from './support/workflow-producer';

const CHAIN = ['one', 'two', 'three', 'four'];

/** Worker processes die; workflows do not. */
describe('durability of the orchestrator', () => {
  const namespace = new TestNamespace();
  let redis: RedisClient;
  let producer: WorkflowProducer;
  const events: WorkflowEvent[] = [];
  const apps: AppProcess[] = [];

  const graph = () =>
    producer.graph({
      type: 'CHAIN',
      description: '',
      steps: CHAIN.map((id, index) => ({
        id,
        agent: 'test-echo',
        dependsOn: index === 0 ? [] : [CHAIN[index - 1]],
      })),
    });
  const orchestrator = async (extra: Record<string, string> = {}) => {
    const app = await AppProcess.start(
      'orchestrator',
      namespace.env({ AGENT_MODULES: 'test/support/test-agents.ts', STEP_LOCK_MS: '2000', ...extra }),
    );
    apps.push(app);
    return app;
  };
  const statusEvents = (workflowId: string, stepId: string, lifecycle: AgentLifecycle) =>
    events.filter(
      (event) =>
        event.workflowId === workflowId &&
        event.type === WorkflowEventType.AgentStatus &&
        event.stepId === stepId &&
        event.lifecycle === lifecycle,
    );
  const committedAt = (workflowId: string, stepId: string) =>
    statusEvents(workflowId, stepId, AgentLifecycle.Completed).map((event) => Date.parse(event.timestamp));
  /** The times the step was begun (its EXECUTING events). */
  const begun = (workflowId: string, stepId: string) =>
    statusEvents(workflowId, stepId, AgentLifecycle.Executing);

  beforeAll(async () => {
    await namespace.prepare();
    redis = connectTestRedis();
    producer = await new WorkflowProducer(redis, TEST_REDIS_URL, namespace.redisPrefix).listen((event) =>
      events.push(event),
    );
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await producer?.close();
    await redis?.quit();
    await namespace.dispose();
  });

  it('completes all 50 workflows when one of two workers is killed mid-run, and no committed step runs again', async () => {
    const [victim, survivor] = await Promise.all([orchestrator(), orchestrator()]);
    const input = {
      sleepMs: Object.fromEntries(CHAIN.map((id) => [id, 150])),
    };
    const ids = await Promise.all(Array.from({ length: 50 }, () => producer.start(graph(), input)));

    // Kill one worker once the fleet is well into the run, with steps of its own in hand.
    await waitFor(async () => {
      const done = events.filter(
        (event) =>
          event.type === WorkflowEventType.AgentStatus && event.lifecycle === AgentLifecycle.Completed,
      );
      return done.length >= 60 ? true : undefined;
    }, 'the run to get going');
    await victim.kill();

    const finals = await Promise.all(ids.map((id) => producer.finished(id)));
    expect(finals.map((event) => (event as { status: string }).status)).toEqual(
      ids.map(() => WorkflowStatus.Completed),
    );
    expect(survivor.child.exitCode).toBeNull();

    let rerun = 0;
    for (const workflowId of ids) {
      for (const stepId of CHAIN) {
        const commits = committedAt(workflowId, stepId);
        expect(commits).toHaveLength(1);
        const runs = await executionsOf(redis, namespace.redisPrefix, workflowId, stepId);
        expect(runs.length).toBeGreaterThanOrEqual(1);
        // Every execution started before the step's result was committed: none after.
        for (const run of runs) expect(run.startedAt).toBeLessThanOrEqual(commits[0]);
        if (runs.length > 1) {
          rerun += 1;
          expect(runs.slice(0, -1).every((run) => run.pid === victim.child.pid)).toBe(true);
        }
      }
    }
    // Only the steps the killed worker had in hand ran again (it runs up to 20 at once)...
    expect(rerun).toBeLessThanOrEqual(20);
    // ...and it had some: steps it began were begun again by the survivor after the kill.
    const begunTwice = ids.flatMap((workflowId) =>
      CHAIN.filter((stepId) => begun(workflowId, stepId).length > 1),
    );
    expect(begunTwice.length).toBeGreaterThan(0);
    expect(begunTwice.length).toBeLessThanOrEqual(20);
  });

  it('runs again the branches a killed worker had forked, and no committed step runs again', async () => {
    // The victim alone takes the roots, so every branch in hand when it dies is its own.
    await Promise.all(apps.map((app) => app.stop()));
    const victim = await orchestrator();
    const branches = producer.graph({
      type: 'BRANCHES',
      description: 'a root, two branches after it, and a join',
      steps: [
        { id: 'a', agent: 'test-echo', dependsOn: [] },
        { id: 'b', agent: 'test-echo', dependsOn: ['a'] },
        { id: 'c', agent: 'test-echo', dependsOn: ['a'] },
        { id: 'd', agent: 'test-echo', dependsOn: ['b', 'c'] },
      ],
    });
    // The worker that finishes `a` claims `b` and forks `c` beside it, in a's job.
    const input = { sleepMs: { a: 50, b: 50, c: 1000, d: 50 } };
    const ids = await Promise.all(Array.from({ length: 30 }, () => producer.start(branches, input)));
    const inHand = () =>
      ids.filter(
        (workflowId) => begun(workflowId, 'c').length > 0 && committedAt(workflowId, 'c').length === 0,
      );
    await waitFor(
      async () => (inHand().length >= 5 ? true : undefined),
      'the victim to hold forked branches',
    );
    const held = inHand();
    await victim.kill();
    const survivor = await orchestrator();

    const finals = await Promise.all(ids.map((id) => producer.finished(id)));
    expect(finals.map((event) => (event as { status: string }).status)).toEqual(
      ids.map(() => WorkflowStatus.Completed),
    );
    expect(survivor.child.exitCode).toBeNull();
    for (const workflowId of ids)
      for (const stepId of ['a', 'b', 'c', 'd']) expect(committedAt(workflowId, stepId)).toHaveLength(1);
    // Each branch the victim held was begun again and run by the survivor, unless the victim had
    // just finished it (its run recorded, its commit's event not yet seen when it was killed).
    const finishedByVictim = async (workflowId: string) =>
      (await executionsOf(redis, namespace.redisPrefix, workflowId, 'c')).some(
        (run) => run.pid === victim.child.pid,
      );
    const begunAgain = [];
    for (const workflowId of held) {
      if (await finishedByVictim(workflowId)) continue;
      expect(begun(workflowId, 'c').length).toBeGreaterThan(1);
      const runs = await executionsOf(redis, namespace.redisPrefix, workflowId, 'c');
      expect(runs.map((run) => run.pid)).toEqual([survivor.child.pid]);
      begunAgain.push(workflowId);
    }
    expect(begunAgain.length).toBeGreaterThan(0);
  });

  it('finishes the step in hand on SIGTERM and takes no new one; another worker finishes the workflow', async () => {
    // Only this worker may take the workflow's steps.
    await Promise.all(apps.map((app) => app.stop()));
    const worker = await orchestrator();
    const workflowId = await producer.start(graph(), {
      sleepMs: { one: 1500 },
    });
    await waitFor(
      async () =>
        events.some(
          (event) =>
            event.workflowId === workflowId &&
            event.type === WorkflowEventType.AgentStatus &&
            event.stepId === 'one' &&
            event.lifecycle === AgentLifecycle.Executing,
        )
          ? true
          : undefined,
      'step one to start',
    );
    await worker.stop();
    expect(committedAt(workflowId, 'one')).toHaveLength(1);
    expect((await executionsOf(redis, namespace.redisPrefix, workflowId, 'one'))[0].isAborted).toBe(false);
    expect(await executionsOf(redis, namespace.redisPrefix, workflowId, 'two')).toEqual([]);
    expect(await producer.status(workflowId)).toBe(WorkflowStatus.Running);

    await orchestrator();
    expect(await producer.finished(workflowId)).toMatchObject({ status: WorkflowStatus.Completed });
  });

  it('recovers a workflow whose steps were never queued (the gateway died in between)', async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await orchestrator({ RECOVERY_INTERVAL_SECONDS: '1' });
    const workflowId = randomUUID();
    // Recorded like the gateway does, and then nothing: its root step never reaches the queue.
    await producer.store.create(
      {
        workflowId,
        type: 'CHAIN',
        tenantId: 'test',
        sessionId: 'test',
        input: {},
        preferences: {},
      },
      graph(),
    );
    expect(await producer.finished(workflowId)).toMatchObject({ status: WorkflowStatus.Completed });
    for (const stepId of CHAIN) {
      expect(await executionsOf(redis, namespace.redisPrefix, workflowId, stepId)).toHaveLength(1);
    }
  });

  it('completes every workflow across a Redis crash and restart, and no committed step runs again', async () => {
    await Promise.all(apps.map((app) => app.stop()));
    // A Redis of this test's own, which it may crash: never the machine's shared one.
    const server = await PrivateRedis.start();
    const client = new Redis(server.url, { maxRetriesPerRequest: null });
    const local = new WorkflowProducer(client, server.url, namespace.redisPrefix);
    const runsOf = (workflowId: string, stepId: string) =>
      executionsOf(redis, namespace.redisPrefix, workflowId, stepId);
    try {
      await orchestrator({ REDIS_URL: server.url });
      const input = { sleepMs: Object.fromEntries(CHAIN.map((id) => [id, 300])) };
      const ids = await Promise.all(Array.from({ length: 30 }, () => local.start(graph(), input)));

      // Crash Redis with the run under way and steps in flight, and bring it back a second later.
      await waitFor(async () => {
        const runs = await Promise.all(ids.map((workflowId) => runsOf(workflowId, 'one')));
        return runs.filter((run) => run.length > 0).length >= 15 ? true : undefined;
      }, 'the run to get going');
      await server.crash();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await server.restart();

      await waitFor(
        async () => {
          const statuses = await Promise.all(ids.map((workflowId) => local.status(workflowId)));
          return statuses.every((status) => status === WorkflowStatus.Completed) ? true : undefined;
        },
        'every workflow to complete after the restart',
        90_000,
      );
      for (const workflowId of ids) {
        const stored = await local.store.eventsAfter(workflowId, 0);
        for (const stepId of CHAIN) {
          const commits = stored
            .filter(
              (event) =>
                event.type === WorkflowEventType.AgentStatus &&
                event.stepId === stepId &&
                event.lifecycle === AgentLifecycle.Completed,
            )
            .map((event) => Date.parse(event.timestamp));
          expect(commits).toHaveLength(1);
          // A step may run again if Redis lost it before its result was committed; never after.
          for (const run of await runsOf(workflowId, stepId))
            expect(run.startedAt).toBeLessThanOrEqual(commits[0]);
        }
      }
    } finally {
      await Promise.all(apps.map((app) => app.stop()));
      await local.close();
      await client.quit();
      await server.stop();
    }
  });
});

import { agentStepsQueue, queueKeyPrefix } from '@app/contracts';
import { RedisClient } from '@app/redis';
import { WorkflowStore, stepQueuePartitionOf } from '@app/workflow-store';
import { Queue } from 'bullmq';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { TEST_ADMIN_KEY, TestNamespace, connectTestRedis } from './support/test-environment';
import { WorkflowClient } from './support/workflow-client';

const PARTITIONS = 4;
const WORKFLOWS = 40;
const QUEUE = agentStepsQueue('test-echo', 1);

/**
 * Step queues split into partitions (STEP_QUEUE_PARTITIONS) on one Redis: the layout a Redis
 * Cluster spreads over its primaries (`npm run test:cluster` runs its subset so), seen from
 * where each job lands, the admin API, the depth metric and a start with a lower count.
 */
describe(`step queues split into ${PARTITIONS} partitions`, () => {
  const namespace = new TestNamespace();
  let apps: AppProcess[] = [];
  let api: ApiClient;
  let client: WorkflowClient;
  let redis: RedisClient;
  let store: WorkflowStore;
  let partitions: Queue[] = [];
  const env = () =>
    namespace.env({
      AGENT_MODULES: 'test/support/test-agents.ts',
      STEP_QUEUE_PARTITIONS: String(PARTITIONS),
    });
  /** The hash of a step job in a partition. */
  const jobKey = (partition: number, jobId: string) =>
    `${queueKeyPrefix(namespace.redisPrefix, QUEUE, partition)}:${QUEUE}:${jobId}`;

  beforeAll(async () => {
    await namespace.prepare();
    redis = connectTestRedis();
    store = new WorkflowStore(redis, { prefix: namespace.redisPrefix, finishedTtlSeconds: 3600 });
    apps = await AppProcess.startAll(['gateway', 'orchestrator', 'metrics'], env());
    api = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    client = new WorkflowClient(apps[0].url);
    await client.connected();
    await api.defineWorkflow('PARTITIONED', [
      { id: 'one', agent: 'test-echo' },
      { id: 'two', agent: 'test-echo', dependsOn: ['one'] },
    ]);
    partitions = Array.from(
      { length: PARTITIONS },
      (_, partition) => new Queue(QUEUE, namespace.queueOptions(QUEUE, partition)),
    );
  });

  afterAll(async () => {
    client?.close();
    await Promise.all(partitions.map((queue) => queue.close()));
    await Promise.all(apps.map((app) => app.stop()));
    await redis?.quit();
    await namespace.dispose();
  });

  it('records the count at start, and queues each step in the partition its workflow and step hash to', async () => {
    expect(await redis.hget(store.keys.format, 'stepQueuePartitions')).toBe(String(PARTITIONS));
    const workflowIds = await Promise.all(
      Array.from({ length: WORKFLOWS }, () =>
        api.startWorkflow({ type: 'PARTITIONED', input: {}, sessionId: 'p' }),
      ),
    );
    const finished = await Promise.all(
      workflowIds.map(async (workflowId) => {
        await client.socket.emitWithAck('workflow.subscribe', { workflowId });
        return client.finished(workflowId);
      }),
    );
    expect(finished.map((event) => event.type)).toEqual(workflowIds.map(() => 'complete'));
    const used = new Set<number>();
    for (const workflowId of workflowIds) {
      const partition = stepQueuePartitionOf(workflowId, 'one', PARTITIONS);
      used.add(partition);
      // Only the root step is a job: the worker finishing it claims `two` itself (eager dispatch).
      const jobId = `${workflowId}.one.1`;
      const found = await Promise.all(
        Array.from({ length: PARTITIONS }, (_, each) => redis.exists(jobKey(each, jobId))),
      );
      // Completed jobs stay (removeOnComplete keeps 1000): each in its partition only.
      expect(found).toEqual(Array.from({ length: PARTITIONS }, (_, each) => (each === partition ? 1 : 0)));
    }
    // Forty workflows over four partitions: all four are used but for a chance of 4·(3/4)^40.
    expect(used.size).toBe(PARTITIONS);
  });

  it('shows the agent’s queue once, its partitions’ counts summed; pausing it pauses every partition', async () => {
    type Status = { name: string; partitions: number; isPaused: boolean; counts: Record<string, number> };
    const status = async () =>
      (await api.json<Status[]>('/admin/queues')).find((queue) => queue.name === QUEUE)!;
    expect(await status()).toMatchObject({ partitions: PARTITIONS, isPaused: false });
    expect((await status()).counts.completed).toBe(WORKFLOWS);

    expect((await api.post(`/admin/queues/${QUEUE}/pause`, {})).status).toBe(200);
    expect(await Promise.all(partitions.map((queue) => queue.isPaused()))).toEqual(
      partitions.map(() => true),
    );
    expect((await status()).isPaused).toBe(true);
    expect((await api.post(`/admin/queues/${QUEUE}/resume`, {})).status).toBe(200);
    expect(await Promise.all(partitions.map((queue) => queue.isPaused()))).toEqual(
      partitions.map(() => false),
    );
  });

  it('reports the queue’s depth as one metric series per state, its partitions summed', async () => {
    const text = await (await fetch(`${apps[0].url}/metrics`)).text();
    expect(text).toContain(
      `bullmq_job_count{queue="${QUEUE}",state="completed",service="gateway"} ${WORKFLOWS}`,
    );
  });

  it('takes a raised count up while running: a new gateway queues into partitions the running worker then consumes', async () => {
    const raised = PARTITIONS * 2;
    const gateway = await AppProcess.start('gateway', { ...env(), STEP_QUEUE_PARTITIONS: String(raised) });
    apps.push(gateway);
    expect(await redis.hget(store.keys.format, 'stepQueuePartitions')).toBe(String(raised));
    const through = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    const workflowIds = await Promise.all(
      Array.from({ length: WORKFLOWS }, () =>
        through.startWorkflow({ type: 'PARTITIONED', input: {}, sessionId: 'p' }),
      ),
    );
    // Some land in the new partitions, which the orchestrator started with four did not consume.
    const partitionOf = (workflowId: string) => stepQueuePartitionOf(workflowId, 'one', raised);
    expect(workflowIds.some((workflowId) => partitionOf(workflowId) >= PARTITIONS)).toBe(true);
    const finished = await Promise.all(
      workflowIds.map(async (workflowId) => {
        await client.socket.emitWithAck('workflow.subscribe', { workflowId });
        return client.finished(workflowId);
      }),
    );
    expect(finished.map((event) => event.type)).toEqual(workflowIds.map(() => 'complete'));
    for (const workflowId of workflowIds)
      expect(await redis.exists(jobKey(partitionOf(workflowId), `${workflowId}.one.1`))).toBe(1);
  });

  it('refuses to start with a lower count, naming the one to set, once', async () => {
    const refusal = await AppProcess.start('orchestrator', { ...env(), STEP_QUEUE_PARTITIONS: '2' }).then(
      () => '',
      (error: Error) => error.message,
    );
    const reason = `are split into ${PARTITIONS * 2} partitions; STEP_QUEUE_PARTITIONS is 2: set it to ${PARTITIONS * 2}`;
    expect(refusal).toContain(reason);
    // Nest logs it with its stack; the closing line names it without printing the stack again.
    expect(refusal.split(reason)).toHaveLength(3);
    expect(refusal).toContain('OrchestratorModule failed to start:');
    expect(refusal.split('at WorkflowStoreFormat.recordPartitions')).toHaveLength(2);
  });
});

import { AgentLifecycle, AgentStatusEvent, WorkflowEventType, WorkflowStatus } from '@app/contracts';
import { RedisClient } from '@app/redis';
import { WorkflowKeys } from '@app/workflow-store';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { RedisCluster } from './support/redis-cluster';
import { executionsOf } from './support/test-agents';
import { TEST_ADMIN_KEY, TestNamespace, connectTestRedis } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';

/** `three` holds until the test opens it (test-barrier): every workflow is mid-run at the kill. */
const CHAIN = [
  { id: 'one', agent: 'test-echo' },
  { id: 'two', agent: 'test-echo' },
  { id: 'three', agent: 'test-barrier' },
  { id: 'four', agent: 'test-echo' },
];
// Fewer than the orchestrator's step slots (STEP_CONCURRENCY, 20): the held steps must not block the others.
const WORKFLOWS = 12;

/**
 * The three apps on a Redis Cluster of their own (three primaries, three replicas): a primary is
 * killed while workflows run, its replica takes over, and every workflow completes with no step
 * run again once its completion was recorded.
 */
describe('the apps through a Redis Cluster failover', () => {
  const namespace = new TestNamespace();
  let cluster: RedisCluster;
  let apps: AppProcess[] = [];
  let api: ApiClient;
  let client: WorkflowClient;
  /** The test Redis, where the test agents record their executions (see test-agents.ts). */
  let records: RedisClient;

  beforeAll(async () => {
    await namespace.prepare();
    cluster = await RedisCluster.start({ primaries: 3, replicasEach: 1 });
    records = connectTestRedis();
    apps = await AppProcess.startAll(
      ['gateway', 'orchestrator', 'metrics'],
      namespace.env({
        REDIS_URL: cluster.url,
        AGENT_MODULES: 'test/support/test-agents.ts',
        STEP_LOCK_MS: '2000',
      }),
    );
    api = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    client = new WorkflowClient(apps[0].url);
    await client.connected();
    await api.defineWorkflow(
      'CLUSTER_CHAIN',
      CHAIN.map((step, index) => ({ ...step, dependsOn: index === 0 ? [] : [CHAIN[index - 1].id] })),
    );
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await Promise.all(apps.map((app) => app.stop()));
    await records?.quit();
    await cluster?.stop();
    await namespace.dispose();
  });

  it('completes every workflow when the primary of a running workflow’s shard is killed, running no completed step again', async () => {
    const workflowIds: string[] = [];
    for (let i = 0; i < WORKFLOWS; i++) {
      const workflowId = await api.startWorkflow({
        type: 'CLUSTER_CHAIN',
        input: {},
        sessionId: `failover-${i}`,
      });
      await client.socket.emitWithAck('workflow.subscribe', { workflowId });
      workflowIds.push(workflowId);
    }
    const finished = workflowIds.map((workflowId) => client.finished(workflowId, 120_000));

    // Every workflow mid-run: one and two committed, three executing (held), four waiting. The
    // victim holds the first workflow's shard; the kill waits for its replica to catch up, so
    // what is tested is the failover, not Redis's asynchronous replication (docker/README.md).
    const completed = (stepId: string) =>
      client.events.filter(
        (event) =>
          event.type === WorkflowEventType.AgentStatus &&
          event.stepId === stepId &&
          event.lifecycle === AgentLifecycle.Completed,
      ).length;
    await waitFor(
      async () => (completed('two') === WORKFLOWS ? true : undefined),
      'every workflow at its held step',
    );
    const victim = await cluster.primaryOf(new WorkflowKeys(namespace.redisPrefix).workflow(workflowIds[0]));
    await cluster.untilReplicated(victim);
    await cluster.kill(victim);
    // Released at once: the held steps complete, and the last ones run, while the replica takes over.
    await records.set(`${namespace.redisPrefix}:test:barrier`, '1');

    const terminal = await Promise.all(finished);
    expect(terminal.map((event) => event.type)).toEqual(workflowIds.map(() => WorkflowEventType.Complete));
    for (const workflowId of workflowIds) {
      const state = await api.json<{ status: WorkflowStatus }>(`/workflows/${workflowId}`);
      expect(state.status).toBe(WorkflowStatus.Completed);
      for (const { id: stepId } of CHAIN) {
        const completions = client
          .of(workflowId)
          .filter(
            (event): event is AgentStatusEvent =>
              event.type === WorkflowEventType.AgentStatus &&
              event.stepId === stepId &&
              event.lifecycle === AgentLifecycle.Completed,
          );
        // One completion per step, and no execution began after it was recorded.
        expect(completions).toHaveLength(1);
        const committedAt = Date.parse(completions[0].timestamp);
        const executions = await executionsOf(records, namespace.redisPrefix, workflowId, stepId);
        expect(executions.length).toBeGreaterThanOrEqual(1);
        expect(executions.filter((execution) => execution.startedAt > committedAt)).toEqual([]);
      }
    }
  }, 240_000);
});

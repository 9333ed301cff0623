import { LogEvent, WorkflowEventType, WorkflowState, WorkflowStatus } from '@app/contracts';
import { RedisClient } from '@app/redis';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { executionsOf } from './support/test-agents';
import { TEST_ADMIN_KEY, connectTestRedis, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';

/**
 * Agents' CPU-bound work in the orchestrator's worker-thread pool, through the real services: the
 * gateway and one orchestrator process with two pool threads, CPU-bound test agents loaded.
 */
describe('the CPU pool in a running orchestrator', () => {
  const namespace = new TestNamespace();
  let apps: AppProcess[] = [];
  let orchestrator: AppProcess;
  let api: ApiClient;
  let client: WorkflowClient;
  let redis: RedisClient;

  const run = async (type: string, input: Record<string, unknown> = {}) => {
    const workflowId = await api.startWorkflow({ type, input, sessionId: 'cpu-pool' });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    return { workflowId, finished: client.finished(workflowId) };
  };
  const executions = (workflowId: string, stepId: string) =>
    executionsOf(redis, namespace.redisPrefix, workflowId, stepId);
  /** The orchestrator's `cpu_pool_tasks_total` by outcome. */
  const poolTasks = async (): Promise<Record<string, number>> => {
    const families = parsePrometheusTextFormat(await (await fetch(`${orchestrator.url}/metrics`)).text());
    const family = families.find((candidate) => candidate.name === 'cpu_pool_tasks_total');
    const counts: Record<string, number> = {};
    for (const metric of family?.metrics ?? []) {
      const { outcome } = (metric as { labels: Record<string, string> }).labels;
      counts[outcome] = (counts[outcome] ?? 0) + Number((metric as { value: string }).value);
    }
    return counts;
  };

  beforeAll(async () => {
    await namespace.prepare();
    redis = connectTestRedis();
    const env = namespace.env({ AGENT_MODULES: 'test/support/test-cpu-agents.ts', CPU_POOL_THREADS: '2' });
    apps = await AppProcess.startAll(['gateway', 'orchestrator'], env);
    [, orchestrator] = apps;
    api = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    client = new WorkflowClient(apps[0].url);
    await client.connected();
    await api.defineWorkflow('CPU_DIAMOND', [
      { id: 'a', agent: 'test-cpu-spin' },
      { id: 'b', agent: 'test-cpu-spin', dependsOn: ['a'] },
      { id: 'c', agent: 'test-cpu-spin', dependsOn: ['a'] },
      { id: 'd', agent: 'test-cpu-spin', dependsOn: ['b', 'c'] },
    ]);
  });

  afterAll(async () => {
    client?.close();
    await Promise.all(apps.map((app) => app.stop()));
    await redis?.quit();
    await namespace.dispose();
  });

  it('runs two CPU-bound branches of one workflow at the same time in one process', async () => {
    const { workflowId, finished } = await run('CPU_DIAMOND', { spinMs: { b: 800, c: 800 } });
    expect(await finished).toMatchObject({ status: WorkflowStatus.Completed });
    const [b] = await executions(workflowId, 'b');
    const [c] = await executions(workflowId, 'c');
    // Two busy-waits on one event loop could never overlap: each ran on a thread of its own.
    expect(b.pid).toBe(c.pid);
    expect(b.startedAt).toBeLessThan(c.finishedAt);
    expect(c.startedAt).toBeLessThan(b.finishedAt);
  });

  it('lists its agents through the API without where their CPU tasks live on the machine', async () => {
    const agents = await api.json<Record<string, unknown>[]>('/agents');
    const spin = agents.find((agent) => agent.name === 'test-cpu-spin');
    expect(spin).toMatchObject({ name: 'test-cpu-spin' });
    expect(spin).not.toHaveProperty('cpuTasks');
  });

  it('stops a step busy in the pool when its workflow is cancelled, and the pool goes on serving', async () => {
    await api.defineWorkflow('CPU_LONG', [
      { id: 'long', agent: 'test-cpu-spin' },
      { id: 'after', agent: 'test-cpu-spin', dependsOn: ['long'] },
    ]);
    const abortedBefore = (await poolTasks()).aborted ?? 0;
    const { workflowId, finished } = await run('CPU_LONG', { spinMs: { long: 120_000 } });
    await client.next(
      (event) =>
        event.workflowId === workflowId &&
        event.type === WorkflowEventType.Log &&
        /spinning/.test(event.message),
    );
    const cancelledAt = Date.now();
    expect((await api.post(`/workflows/${workflowId}/cancel`)).status).toBe(200);
    expect(await finished).toMatchObject({ status: WorkflowStatus.Cancelled });

    const [stopped] = await waitFor(async () => {
      const records = await executions(workflowId, 'long');
      return records.length > 0 ? records : undefined;
    }, 'the busy step to settle');
    expect(stopped.isAborted).toBe(true);
    expect(stopped.finishedAt - cancelledAt).toBeLessThan(5000);
    expect(await executions(workflowId, 'after')).toEqual([]);
    expect((await poolTasks()).aborted).toBe(abortedBefore + 1);

    const next = await run('CPU_DIAMOND');
    expect(await next.finished).toMatchObject({ status: WorkflowStatus.Completed });
  });

  it('fails a CPU-bound step that overruns its time limit as a timeout, retried once, and the pool goes on serving', async () => {
    await api.defineWorkflow('CPU_OVERRUN', [{ id: 'overrun', agent: 'test-cpu-overrun' }]);
    const abortedBefore = (await poolTasks()).aborted ?? 0;
    const { workflowId, finished } = await run('CPU_OVERRUN');
    expect(await finished).toMatchObject({ type: WorkflowEventType.Error, status: WorkflowStatus.Failed });
    const state = await api.json<WorkflowState>(`/workflows/${workflowId}`);
    expect(state.error).toMatch(/TimeoutError: agent test-cpu-overrun exceeded its 2000 ms time limit/);
    expect((await executions(workflowId, 'overrun')).map((record) => record.attempt)).toEqual([1, 2]);
    expect((await poolTasks()).aborted).toBe(abortedBefore + 2);

    const next = await run('CPU_DIAMOND');
    expect(await next.finished).toMatchObject({ status: WorkflowStatus.Completed });
  });

  it('fails only the step whose thread crashed, retries it as the policy says, and leaves the step beside it alone', async () => {
    await api.defineWorkflow('CPU_CRASH', [
      { id: 'crash', agent: 'test-cpu-crash' },
      { id: 'beside', agent: 'test-cpu-spin' },
    ]);
    const { workflowId, finished } = await run('CPU_CRASH', { spinMs: { beside: 1500 } });
    expect(await finished).toMatchObject({ status: WorkflowStatus.Completed });
    expect((await executions(workflowId, 'crash')).map((record) => record.attempt)).toEqual([1, 2]);
    expect((await executions(workflowId, 'beside')).map((record) => record.attempt)).toEqual([1]);
    const retry = client
      .of(workflowId)
      .find(
        (event): event is LogEvent =>
          event.type === WorkflowEventType.Log && /retry 1 in/.test(event.message),
      );
    expect(retry?.message).toMatch(
      /CpuThreadError: the worker thread running test-cpu.task#crashIf failed: .*exited with code: 9/,
    );
    expect((await poolTasks()).crashed).toBeGreaterThanOrEqual(1);
  });

  it('keeps the event loop free while the pool works: health says so', async () => {
    const { finished } = await run('CPU_DIAMOND', { spinMs: { a: 300, b: 1500, c: 1500 } });
    expect(await finished).toMatchObject({ status: WorkflowStatus.Completed });
    const health = (await (await fetch(`${orchestrator.url}/health`)).json()) as {
      details: Record<string, { status: string }>;
    };
    expect(health.details.eventLoop).toMatchObject({ status: 'up' });
  });
});

import {
  AgentWorkerStatus,
  RegisteredAgent,
  WorkflowEventType,
  WorkflowState,
  WorkflowStatus,
} from '@app/contracts';
import { RedisClient } from '@app/redis';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { executionsOf } from './support/test-agents';
import { TEST_ADMIN_KEY, connectTestRedis, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkerProcess } from './support/worker-process';
import { WorkflowClient } from './support/workflow-client';

/**
 * Agents served by workers in processes of their own, routed by agent: the gateway, the
 * orchestrator (which serves the built-in and test agents) and agent services started from the
 * worker SDK, each serving agents nobody else has.
 */
describe('agent workers in their own processes', () => {
  const namespace = new TestNamespace();
  let apps: AppProcess[] = [];
  let orchestrator: AppProcess;
  let api: ApiClient;
  let client: WorkflowClient;
  let redis: RedisClient;
  const workers: WorkerProcess[] = [];

  /** A worker with a short lock and heartbeat, so a killed one is noticed within a second or two. */
  const startWorker = async (agents: string[], name = 'spec-agent-service') => {
    const worker = await WorkerProcess.start(
      agents,
      namespace.env({ WORKER_NAME: name, WORKER_LOCK_MS: '1000', WORKER_HEARTBEAT_MS: '300' }),
    );
    workers.push(worker);
    return worker;
  };
  const run = async (type: string, input: Record<string, unknown> = {}) => {
    const workflowId = await api.startWorkflow({ type, input, sessionId: 'workers' });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    return { workflowId, finished: client.finished(workflowId) };
  };
  const state = (workflowId: string) => api.json<WorkflowState>(`/workflows/${workflowId}`);
  const executions = (workflowId: string, stepId: string) =>
    executionsOf(redis, namespace.redisPrefix, workflowId, stepId);
  const workerStatus = async (id: string) =>
    (await api.json<AgentWorkerStatus[]>('/workers')).find((worker) => worker.workerId === id);
  /** Agents the orchestrator ran, from the labels of its step-duration histogram's counts. */
  const agentsRunByOrchestrator = async (): Promise<Set<string>> => {
    const text = await (await fetch(`${orchestrator.url}/metrics`)).text();
    return new Set(
      [...text.matchAll(/^workflow_step_duration_seconds_count\{[^}]*agent="([^"]+)"/gm)].map(
        (match) => match[1],
      ),
    );
  };

  beforeAll(async () => {
    await namespace.prepare();
    redis = connectTestRedis();
    apps = await AppProcess.startAll(
      ['gateway', 'orchestrator'],
      namespace.env({ AGENT_MODULES: 'test/support/test-agents.ts' }),
    );
    [, orchestrator] = apps;
    api = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    client = new WorkflowClient(apps[0].url);
    await client.connected();
  });

  afterAll(async () => {
    client?.close();
    await Promise.all(workers.map((worker) => worker.stop()));
    await Promise.all(apps.map((app) => app.stop()));
    await redis?.quit();
    await namespace.dispose();
  });

  it("runs a step on the only worker serving its agent, and survives that worker's death mid-step", async () => {
    const first = await startWorker(['test-remote@1.0.0']);
    await api.defineWorkflow('REMOTE', [
      { id: 'before', agent: 'test-echo' },
      { id: 'remote', agent: 'test-remote', dependsOn: ['before'] },
      { id: 'after', agent: 'test-echo', dependsOn: ['remote'] },
    ]);
    const { workflowId, finished } = await run('REMOTE', { sleepMs: { remote: 3000 } });
    await client.next(
      (event) =>
        event.workflowId === workflowId &&
        event.type === WorkflowEventType.AgentStatus &&
        event.stepId === 'remote' &&
        event.lifecycle === 'EXECUTING',
    );
    await first.kill();
    const second = await startWorker(['test-remote@1.0.0']);

    expect(await finished).toMatchObject({ status: WorkflowStatus.Completed });
    // The killed worker never finished its attempt; the second ran it again, and nothing else twice.
    expect((await executions(workflowId, 'remote')).map((run) => run.pid)).toEqual([second.pid]);
    expect(await executions(workflowId, 'before')).toHaveLength(1);
    expect(await executions(workflowId, 'after')).toHaveLength(1);
    expect((await executions(workflowId, 'before'))[0].pid).not.toBe(second.pid);
    // The orchestrator never received a step of an agent it does not serve.
    expect(await agentsRunByOrchestrator()).toEqual(new Set(['test-echo']));

    expect(
      await waitFor(async () => {
        const gone = await workerStatus(first.id);
        return gone?.status === 'gone' ? gone : undefined;
      }, 'the killed worker to be seen gone'),
    ).toMatchObject({
      name: 'spec-agent-service',
      queues: ['steps.test-remote@1'],
      goneAt: expect.any(String),
    });
    expect(await workerStatus(second.id)).toMatchObject({
      status: 'alive',
      pid: second.pid,
      concurrency: 5,
      agents: [{ name: 'test-remote', version: '1.0.0' }],
      goneAt: null,
    });
    const agents = await api.json<RegisteredAgent[]>('/agents');
    expect(agents.find((agent) => agent.name === 'test-remote')).toMatchObject({
      queue: 'steps.test-remote@1',
      liveWorkers: 1,
    });
    await second.stop();
  });

  it('says a step waits for a worker while none serves its agent, and runs it when one appears', async () => {
    // test-remote is registered (its workers came and went), but no worker serves it now.
    expect((await workerStatus(workers[1].id))?.status).toBe('gone');
    const { workflowId, finished } = await run('REMOTE');
    const waiting = await client.waiting(workflowId, 'remote');
    expect(waiting).toMatchObject({ lifecycle: 'READY', waitingFor: 'no live worker serves test-remote@1' });
    expect((await state(workflowId)).steps.find((step) => step.stepId === 'remote')).toMatchObject({
      lifecycle: 'READY',
      waitingFor: 'no live worker serves test-remote@1',
    });

    const worker = await startWorker(['test-remote@1.0.0']);
    expect(await finished).toMatchObject({ status: WorkflowStatus.Completed });
    expect((await state(workflowId)).steps.find((step) => step.stepId === 'remote')).toMatchObject({
      lifecycle: 'COMPLETED',
      waitingFor: null,
    });
    await worker.stop();
  });

  it('pins each workflow to the agent versions live when it started, so a rolling deploy never mixes them', async () => {
    const v1 = await startWorker(['test-versioned@1.4.0'], 'versioned-v1');
    await api.defineWorkflow('VERSIONED', [
      { id: 'first', agent: 'test-echo' },
      { id: 'versioned', agent: 'test-versioned', dependsOn: ['first'] },
    ]);
    // Started while only major 1 is served: its step is pinned to it.
    const before = await run('VERSIONED', { sleepMs: { first: 1500 } });
    // The new major is deployed beside the old one while that workflow's first step runs.
    const v2 = await startWorker(['test-versioned@2.0.0'], 'versioned-v2');
    const after = await run('VERSIONED');
    const pinnedToOne = await api.post('/workflow-definitions', {
      type: 'VERSIONED_ONE',
      description: 'names major 1',
      steps: [{ id: 'versioned', agent: 'test-versioned@1', dependsOn: [] }],
    });
    expect(pinnedToOne.status).toBe(201);
    const explicit = await run('VERSIONED_ONE');

    const output = async (workflowId: string) =>
      (
        await api.json<{ output: { version: string; pid: number } }>(
          `/workflows/${workflowId}/outputs/versioned`,
        )
      ).output;
    for (const { finished } of [before, after, explicit])
      expect(await finished).toMatchObject({ status: WorkflowStatus.Completed });
    expect(await output(before.workflowId)).toMatchObject({ version: '1.4.0', pid: v1.pid });
    expect(await output(after.workflowId)).toMatchObject({ version: '2.0.0', pid: v2.pid });
    expect(await output(explicit.workflowId)).toMatchObject({ version: '1.4.0', pid: v1.pid });
    const agents = await api.json<RegisteredAgent[]>('/agents');
    expect(
      agents
        .filter((agent) => agent.name === 'test-versioned')
        .map((agent) => [agent.version, agent.liveWorkers]),
    ).toEqual([
      ['1.4.0', 1],
      ['2.0.0', 1],
    ]);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeployOutput } from '@app/agents';
import {
  AgentLifecycle,
  AgentStatusEvent,
  CreatedApiKey,
  ReplayWorkflowResponse,
  WorkflowDiffResponse,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowState,
  WorkflowStatus,
  WorkflowType,
} from '@app/contracts';
import { WorkflowKeys } from '@app/workflow-store';
import { RedisClient } from '@app/redis';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { executionsOf } from './support/test-agents';
import { TEST_ADMIN_KEY, connectTestRedis, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';

/**
 * Replay from any step and the run diff, through the gateway, an orchestrator (the website agents
 * and the test agents) and the metrics service as processes.
 */
describe('replaying a workflow from a step', () => {
  const namespace = new TestNamespace();
  let sitesDir: string;
  let apps: AppProcess[] = [];
  let api: ApiClient;
  let client: WorkflowClient;
  let redis: RedisClient;

  /** Starts (or is handed) a workflow, subscribes, and resolves with its final state and events. */
  async function finish(workflowId: string, timeoutMs = 120_000) {
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    await client.finished(workflowId, timeoutMs);
    const state = await api.json<WorkflowState>(`/workflows/${workflowId}`);
    const events = await api.json<WorkflowEvent[]>(`/workflows/${workflowId}/events?after=0`);
    return { workflowId, state, events };
  }

  async function replay(workflowId: string, body: object, as = api): Promise<ReplayWorkflowResponse> {
    const response = await as.post(`/workflows/${workflowId}/replay`, body);
    if (response.status !== 202) throw new Error(`replay: ${response.status} ${await response.text()}`);
    return (await response.json()) as ReplayWorkflowResponse;
  }

  /** The steps an agent began executing in a workflow, from its events. */
  const executedSteps = (events: WorkflowEvent[]) => [
    ...new Set(
      events
        .filter(
          (event): event is AgentStatusEvent =>
            event.type === WorkflowEventType.AgentStatus && event.lifecycle === AgentLifecycle.Executing,
        )
        .map((event) => event.stepId),
    ),
  ];

  /** The agents the metrics service recorded executions of, for a workflow, once `count` are in. */
  const recordedExecutions = (workflowId: string, count: number) =>
    waitFor(async () => {
      const rows = await namespace.query<{ agent: string }>(
        'SELECT agent FROM agent_executions WHERE workflow_id = $1 ORDER BY started_at',
        [workflowId],
      );
      return rows.length >= count ? rows.map((row) => row.agent) : undefined;
    }, `${count} executions of workflow ${workflowId} in PostgreSQL`);

  beforeAll(async () => {
    await namespace.prepare();
    redis = connectTestRedis();
    sitesDir = await mkdtemp(join(tmpdir(), 'replay-e2e-'));
    const env = namespace.env({ SITES_DIR: sitesDir, AGENT_MODULES: 'test/support/test-agents.ts' });
    apps = await AppProcess.startAll(['gateway', 'orchestrator', 'metrics'], env);
    api = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    client = new WorkflowClient(apps[0].url);
    await client.connected();
    // `second`'s output depends on the input (its size), so an edited input shows in the diff;
    // `first`'s is over the 64 KiB at which outputs are stored by reference.
    await api.defineWorkflow('SIZES', [
      { id: 'first', agent: 'test-large' },
      { id: 'second', agent: 'test-large', dependsOn: ['first'] },
      { id: 'measure', agent: 'test-measure', dependsOn: ['first', 'second'] },
    ]);
  });

  afterAll(async () => {
    client?.close();
    await Promise.all(apps.map((app) => app.stop()));
    await redis?.quit();
    await namespace.dispose();
    await rm(sitesDir, { recursive: true, force: true });
  });

  it('replays CREATE_SITE from the builder: memory, planner, content and design are reused, not run; a new version is published; the diff names what changed', async () => {
    const original = await finish(
      await api.startWorkflow({
        type: WorkflowType.CreateSite,
        sessionId: 'replay-site',
        input: { request: 'Create a portfolio website for a ceramic artist in Porto, warm and minimal' },
      }),
    );
    expect(original.state.status).toBe(WorkflowStatus.Completed);
    const originalDeploy = (original.state.result as { deploy: DeployOutput }).deploy;

    const started = await replay(original.workflowId, { fromStep: 'builder' });
    expect(started).toMatchObject({
      replayOf: { workflowId: original.workflowId, fromStep: 'builder' },
      reusedSteps: ['memory', 'planner', 'content', 'design'],
    });
    const replayed = await finish(started.workflowId);
    expect(replayed.state).toMatchObject({
      status: WorkflowStatus.Completed,
      type: WorkflowType.CreateSite,
      sessionId: 'replay-site',
      input: original.state.input,
      replayOf: { workflowId: original.workflowId, fromStep: 'builder' },
    });

    // Only the builder and what follows it ran: by the new workflow's events, and by what the
    // workers reported to the metrics service.
    expect(executedSteps(replayed.events).sort()).toEqual(['audit', 'builder', 'deploy']);
    expect((await recordedExecutions(started.workflowId, 3)).sort()).toEqual(['audit', 'builder', 'deploy']);
    expect((await recordedExecutions(original.workflowId, 7)).sort()).toEqual(
      ['audit', 'builder', 'content', 'deploy', 'design', 'memory', 'planner'].sort(),
    );
    const reused = replayed.state.steps.filter((step) => step.isReused).map((step) => step.stepId);
    expect(reused).toEqual(['memory', 'planner', 'content', 'design']);
    // Reused steps count nothing in the new workflow's metrics.
    expect(Object.keys(replayed.state.metrics.agentDurationsMs).sort()).toEqual([
      'audit',
      'builder',
      'deploy',
    ]);

    // The builder received the original's recorded outputs.
    for (const stepId of ['planner', 'content', 'design']) {
      expect(await api.json(`/workflows/${started.workflowId}/outputs/${stepId}`)).toEqual(
        await api.json(`/workflows/${original.workflowId}/outputs/${stepId}`),
      );
    }

    const deploy = (replayed.state.result as { deploy: DeployOutput }).deploy;
    expect(deploy).toMatchObject({ siteId: originalDeploy.siteId, action: 'published' });
    expect(deploy.version).toBe(originalDeploy.version + 1);
    expect((await api.get(deploy.path)).status).toBe(200);

    const diff = await api.json<WorkflowDiffResponse>(
      `/workflows/${started.workflowId}/diff/${original.workflowId}`,
    );
    expect(diff).toMatchObject({ workflowId: started.workflowId, otherWorkflowId: original.workflowId });
    expect(diff.steps.map((step) => step.stepId)).toEqual(original.state.steps.map((step) => step.stepId));
    expect(diff.changedSteps).toContain('deploy');
    for (const stepId of ['memory', 'planner', 'content', 'design']) {
      const step = diff.steps.find((entry) => entry.stepId === stepId)!;
      expect(step).toMatchObject({
        isOutputChanged: false,
        workflow: { isReused: true, durationMs: null, llmTokens: 0 },
        other: { isReused: false },
      });
      expect(step.other!.durationMs).toEqual(expect.any(Number));
      expect(diff.changedSteps).not.toContain(stepId);
    }
    expect(diff.steps.find((entry) => entry.stepId === 'deploy')).toMatchObject({
      isOutputChanged: true,
      workflow: { isReused: false, durationMs: expect.any(Number) },
      other: { isReused: false, durationMs: expect.any(Number) },
    });
  });

  it('replays a graph of test agents with an edited input: the reused large output arrives whole, the diff shows the change', async () => {
    const original = await finish(
      await api.startWorkflow({ type: 'SIZES', sessionId: 'sizes', input: { bytes: 100_000 } }),
    );
    expect(original.state.result).toEqual({ measure: { sizes: { first: 100_000, second: 100_000 } } });

    const started = await replay(original.workflowId, { fromStep: 'second', input: { bytes: 300 } });
    expect(started.reusedSteps).toEqual(['first']);
    const replayed = await finish(started.workflowId);
    expect(replayed.state).toMatchObject({ status: WorkflowStatus.Completed, input: { bytes: 300 } });
    // `first` was not run again: its 100 000 characters came from the original's record.
    expect(replayed.state.result).toEqual({ measure: { sizes: { first: 100_000, second: 300 } } });
    expect(await executionsOf(redis, namespace.redisPrefix, started.workflowId, 'first')).toEqual([]);
    expect(await executionsOf(redis, namespace.redisPrefix, started.workflowId, 'second')).toHaveLength(1);

    const diff = await api.json<WorkflowDiffResponse>(
      `/workflows/${started.workflowId}/diff/${original.workflowId}`,
    );
    expect(diff.changedSteps).toEqual(['second', 'measure']);
    expect(diff.steps[0]).toMatchObject({
      stepId: 'first',
      isOutputChanged: false,
      workflow: { isReused: true },
    });
    // The projection records what it replays, for finding a workflow's replays in PostgreSQL.
    await waitFor(async () => {
      const rows = await namespace.query<{ id: string }>(
        `SELECT id FROM workflow_runs WHERE replay_of = $1 AND status = '${WorkflowStatus.Completed}'`,
        [original.workflowId],
      );
      return rows.length === 1 && rows[0].id === started.workflowId ? true : undefined;
    }, 'the replay in the projection');

    // A replay of the replay from the start runs everything again, with the replay's input.
    const again = await finish((await replay(started.workflowId, { fromStep: 'first' })).workflowId);
    expect(again.state.result).toEqual({ measure: { sizes: { first: 300, second: 300 } } });
  });

  it('answers 400 for a step not in the workflow, 422 for an edited input the type refuses, 409 once the outputs are gone, and 404 to another tenant', async () => {
    const original = await finish(
      await api.startWorkflow({ type: 'SIZES', sessionId: 'sizes', input: { bytes: 10 } }),
    );
    const answer = async (response: Response) => ({
      status: response.status,
      message: ((await response.json()) as { message: string | string[] }).message,
    });
    expect(
      await answer(await api.post(`/workflows/${original.workflowId}/replay`, { fromStep: 'nope' })),
    ).toEqual({
      status: 400,
      message: `fromStep must be a step of workflow ${original.workflowId} (first, second, measure); got "nope"`,
    });
    expect(
      (await api.post(`/workflows/${original.workflowId}/replay`, { fromStep: 'Bad Step' })).status,
    ).toBe(400);
    const site = await finish(
      await api.startWorkflow({
        type: WorkflowType.CreateSite,
        sessionId: 'replay-bad-input',
        input: { request: 'A site for a bakery' },
      }),
    );
    const refused = await api.post(`/workflows/${site.workflowId}/replay`, {
      fromStep: 'builder',
      input: { request: 42 },
    });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { errors: { path: string }[] }).errors[0].path).toBe('/request');

    const created = await api.post('/admin/keys', {
      tenantId: 'globex',
      role: 'client',
      name: 'other tenant',
    });
    const other = api.as(((await created.json()) as CreatedApiKey).key);
    for (const response of [
      await other.post(`/workflows/${original.workflowId}/replay`, { fromStep: 'second' }),
      await other.get(`/workflows/${original.workflowId}/diff/${site.workflowId}`),
    ]) {
      expect(await answer(response)).toEqual({
        status: 404,
        message: `workflow ${original.workflowId} does not exist`,
      });
    }

    // Archived as the retention job does (its state to PostgreSQL, then removed from RedisClient): the
    // state is still served, the outputs are gone.
    await namespace.query(
      `INSERT INTO workflow_records (id, type, status, tenant_id, session_id, created_at, finished_at, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        original.workflowId,
        original.state.type,
        original.state.status,
        original.state.tenantId,
        original.state.sessionId,
        original.state.createdAt,
        original.state.finishedAt,
        JSON.stringify(original.state),
      ],
    );
    await redis.del(new WorkflowKeys(namespace.redisPrefix).workflow(original.workflowId));
    const gone = await answer(
      await api.post(`/workflows/${original.workflowId}/replay`, { fromStep: 'second' }),
    );
    expect(gone.status).toBe(409);
    expect(gone.message).toContain(`workflow ${original.workflowId} can no longer be replayed`);
  });

  it('replays a FAILED workflow from the failed step, and retrying a failed workflow still resumes it', async () => {
    await api.defineWorkflow('GATED', [
      { id: 'before', agent: 'test-echo' },
      { id: 'gate', agent: 'test-gate', dependsOn: ['before'] },
    ]);
    const failed = await finish(await api.startWorkflow({ type: 'GATED', sessionId: 'g', input: {} }));
    expect(failed.state.status).toBe(WorkflowStatus.Failed);
    const fromBefore = await api.post(`/workflows/${failed.workflowId}/replay`, { fromStep: 'before' });
    expect(fromBefore.status).toBe(202);

    // Opened for the replay (not for the original) before it starts: its gate step may run at once.
    await redis.set(`${namespace.redisPrefix}:test:gate:replays-of:${failed.workflowId}`, '1');
    const started = await replay(failed.workflowId, { fromStep: 'gate' });
    const replayed = await finish(started.workflowId);
    expect(replayed.state.status).toBe(WorkflowStatus.Completed);
    expect(await executionsOf(redis, namespace.redisPrefix, started.workflowId, 'before')).toEqual([]);

    await redis.set(`${namespace.redisPrefix}:test:gate:${failed.workflowId}`, '1');
    expect((await api.post(`/workflows/${failed.workflowId}/retry`)).status).toBe(202);
    await waitFor(async () => {
      const state = await api.json<WorkflowState>(`/workflows/${failed.workflowId}`);
      return state.status === WorkflowStatus.Completed ? state : undefined;
    }, 'the retried workflow to complete');
  });
});

import {
  AgentLifecycle,
  LogEvent,
  StepOutputResponse,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowState,
  WorkflowStatus,
} from '@app/contracts';
import { RedisClient } from '@app/redis';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { executionsOf } from './support/test-agents';
import { TEST_ADMIN_KEY, connectTestRedis, TestNamespace } from './support/test-environment';
import { WorkflowClient } from './support/workflow-client';

/**
 * Quality loops through the real services: a check (test-check) that finds the draft not good
 * enough sends it back to test-draft with its findings instead of failing the workflow, at most
 * three iterations in all; what it publishes runs once, after the check passes.
 */
describe('quality loops', () => {
  const namespace = new TestNamespace();
  let gateway: AppProcess;
  let orchestrator: AppProcess;
  let redis: RedisClient;
  let admin: ApiClient;
  let client: WorkflowClient;

  const steps = (revise: Record<string, unknown>) => [
    { id: 'draft', agent: 'test-draft', dependsOn: [] },
    { id: 'polish', agent: 'test-echo', dependsOn: ['draft'] },
    { id: 'check', agent: 'test-check', dependsOn: ['polish'], revise },
    { id: 'publish', agent: 'test-echo', dependsOn: ['check'] },
  ];
  const define = (type: string, revise: Record<string, unknown>) =>
    admin.post('/workflow-definitions', {
      type,
      description: 'draft, polish, check, publish',
      steps: steps(revise),
    });
  const runs = async (workflowId: string, stepId: string) =>
    (await executionsOf(redis, namespace.redisPrefix, workflowId, stepId)).map((run) => run.attempt);
  /** Starts a LOOPED workflow whose check passes draft `passOnIteration` (0: none) and waits for its end. */
  const run = async (passOnIteration: number) => {
    const workflowId = await admin.startWorkflow({
      type: 'LOOPED',
      input: { passOnIteration },
      sessionId: 'loops',
    });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    await client.finished(workflowId);
    return { workflowId, state: await admin.json<WorkflowState>(`/workflows/${workflowId}`) };
  };
  const revisionLines = (events: WorkflowEvent[]) =>
    events
      .filter((event): event is LogEvent => event.type === WorkflowEventType.Log)
      .map((event) => event.message)
      .filter((message) => message.includes('sent the work back'));

  beforeAll(async () => {
    await namespace.prepare();
    redis = connectTestRedis();
    const env = namespace.env({
      AGENT_MODULES: 'test/support/test-agents.ts,test/support/quality-loop-agents.ts',
    });
    [gateway, orchestrator] = await AppProcess.startAll(['gateway', 'orchestrator'], env);
    admin = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    client = new WorkflowClient(gateway.url);
    await client.connected();
    const response = await define('LOOPED', { step: 'draft', maxIterations: 3 });
    expect(response.status).toBe(201);
  });

  afterAll(async () => {
    client?.close();
    await Promise.all([gateway, orchestrator].map((app) => app?.stop()));
    await redis?.quit();
    await namespace.dispose();
  });

  it('refuses a loop to a step that is not an ancestor, or with too many iterations, with 422 saying why', async () => {
    const sideways = await define('SIDEWAYS', { step: 'publish', maxIterations: 3 });
    expect(sideways.status).toBe(422);
    expect(((await sideways.json()) as { message: string }).message).toBe(
      'workflow SIDEWAYS: step "check" revises step "publish", which is not one of its ancestors: a loop can only send work back to a step it depends on, directly or not',
    );
    const endless = await define('ENDLESS', { step: 'draft', maxIterations: 11 });
    expect(endless.status).toBe(422);
    expect(JSON.stringify(await endless.json())).toContain(
      'revise.maxIterations must be a whole number from 1 to 10',
    );
  });

  it('sends a draft that fails the check twice back with the findings, then publishes once: three iterations', async () => {
    const { workflowId, state } = await run(3);
    expect(state.status).toBe(WorkflowStatus.Completed);
    // Each run of a step is an attempt of its own; the step after the check ran once.
    expect(await runs(workflowId, 'draft')).toEqual([1, 2, 3]);
    expect(await runs(workflowId, 'polish')).toEqual([1, 2, 3]);
    expect(await runs(workflowId, 'check')).toEqual([1, 2, 3]);
    expect(await runs(workflowId, 'publish')).toEqual([1]);
    expect(state.metrics.iterations).toEqual({ check: 3 });
    expect(state.metrics.retryCount).toBe(0);
    expect(state.steps.find((step) => step.stepId === 'check')).toMatchObject({
      lifecycle: AgentLifecycle.Completed,
      iteration: { current: 3, max: 3 },
    });
    expect(revisionLines(client.of(workflowId))).toEqual([
      'check sent the work back to draft (iteration 2 of 3): draft 1 has 2 finding(s)',
      'check sent the work back to draft (iteration 3 of 3): draft 2 has 1 finding(s)',
    ]);
    // The last draft was written knowing what the check found in the one before.
    const draft = await admin.json<StepOutputResponse>(`/workflows/${workflowId}/outputs/draft`);
    expect(draft.output).toEqual({
      iteration: 3,
      fixing: {
        from: 'check',
        iteration: 3,
        maxIterations: 3,
        feedback: { findings: ['finding 1 of draft 2'] },
      },
    });
  });

  it('stops a draft that never passes at the bound, failing the workflow with a clear error', async () => {
    const { workflowId, state } = await run(0);
    expect(state.status).toBe(WorkflowStatus.Failed);
    expect(state.error).toBe('check: check still failing after 3 iterations: draft 3 has 1 finding(s)');
    expect(state.metrics.iterations).toEqual({ check: 3 });
    expect(await runs(workflowId, 'draft')).toEqual([1, 2, 3]);
    expect(await runs(workflowId, 'publish')).toEqual([]);
    expect(revisionLines(client.of(workflowId))).toHaveLength(2);
  });

  it('counts each time work was sent back in workflow_revisions_total', async () => {
    const text = await (await fetch(`${orchestrator.url}/metrics`)).text();
    // Two from the workflow that passed on its third draft, two from the one that never did.
    expect(text).toMatch(/^workflow_revisions_total\{workflow_type="LOOPED",step="check"[^}]*\} 4$/m);
  });
});

import { performance } from 'node:perf_hooks';
import {
  BudgetStatus,
  CreatedApiKey,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowState,
  WorkflowStatus,
} from '@app/contracts';
import {
  OpenAiCompatibleTestServer,
  answer,
} from '../libs/agent-sdk/src/llm/testing/open-ai-compatible.test-server';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { runCli } from './support/cli-process';
import { TEST_ADMIN_KEY, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';

/** What the test server reports for every call: each step of the chain spends exactly this. */
const TOKENS_PER_CALL = 500;
const MODEL = 'e2e-budget-model';

/**
 * Budgets end to end: a gateway and an orchestrator whose test agent asks a local
 * OpenAI-compatible server once per step, each call reported as 500 tokens. Admins set budgets
 * over REST; the steps that would overspend wait (READY, `waitingFor`, a log event) until raised.
 */
describe('budgets enforced before a step begins', () => {
  const namespace = new TestNamespace();
  let server: OpenAiCompatibleTestServer;
  let apps: AppProcess[] = [];
  let admin: ApiClient;
  const keys: Record<string, CreatedApiKey> = {};

  const client = (tenantId: string) => admin.as(keys[tenantId].key);
  const put = (path: string, body: unknown) => admin.request('PUT', path, body);
  const state = (workflowId: string) => admin.json<WorkflowState>(`/workflows/${workflowId}`);
  const events = (workflowId: string) => admin.json<WorkflowEvent[]>(`/workflows/${workflowId}/events`);
  const start = (tenantId: string, extra: Record<string, unknown> = {}) =>
    client(tenantId).startWorkflow({
      type: 'BUDGET_CHAIN',
      input: {},
      sessionId: `budget-${tenantId}`,
      ...extra,
    });

  /** Resolves with the workflow's state once `test` holds for it. */
  const stateWhen = (
    workflowId: string,
    what: string,
    test: (found: WorkflowState) => boolean,
    timeoutMs = 30_000,
  ) =>
    waitFor(
      async () => {
        const found = await state(workflowId);
        return test(found) ? found : undefined;
      },
      `${what} (workflow ${workflowId})`,
      timeoutMs,
    );
  const stepOf = (found: WorkflowState, stepId: string) =>
    found.steps.find((step) => step.stepId === stepId)!;

  beforeAll(async () => {
    await namespace.prepare();
    server = await OpenAiCompatibleTestServer.start([
      answer('{"ok":true}', { prompt_tokens: TOKENS_PER_CALL - 100, completion_tokens: 100 }, MODEL),
    ]);
    apps = await AppProcess.startAll(
      ['gateway', 'orchestrator'],
      namespace.env({
        AGENT_MODULES: 'test/support/test-llm-agents.ts',
        LLM_BASE_URL: server.baseUrl,
        LLM_MODEL: MODEL,
        LLM_API_KEY: 'sk-e2e',
        LLM_PRICES: JSON.stringify({ [MODEL]: { prompt: 1, completion: 2 } }),
      }),
    );
    admin = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    for (const tenantId of ['acme', 'globex', 'initech']) {
      const response = await admin.post('/admin/keys', {
        tenantId,
        role: 'client',
        name: `client of ${tenantId}`,
      });
      expect(response.status).toBe(201);
      keys[tenantId] = (await response.json()) as CreatedApiKey;
    }
    await admin.defineWorkflow('BUDGET_CHAIN', [
      { id: 'first', agent: 'test-llm-chat' },
      { id: 'second', agent: 'test-llm-chat', dependsOn: ['first'] },
      { id: 'third', agent: 'test-llm-chat', dependsOn: ['second'] },
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await server?.close();
    await namespace.dispose();
  });

  it("holds a tenant's next step once its day's budget is spent, says why, leaves other tenants alone, and goes on when an admin raises it", async () => {
    const set = await put('/admin/budgets/tenants/acme', { tokens: 2 * TOKENS_PER_CALL });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({
      scope: 'tenant',
      subject: 'acme',
      limit: { tokens: 1000, costUsd: null },
      spent: { tokens: 0 },
      isExhausted: false,
    });

    const workflowId = await start('acme');
    const reason = 'budget exhausted: tenant acme today 1000/1000 tokens';
    const waiting = await stateWhen(
      workflowId,
      'third step waiting for the budget',
      (found) => stepOf(found, 'third').waitingFor !== null,
    );
    expect(waiting.status).toBe(WorkflowStatus.Waiting);
    expect(stepOf(waiting, 'first').lifecycle).toBe('COMPLETED');
    expect(stepOf(waiting, 'second').lifecycle).toBe('COMPLETED');
    expect(stepOf(waiting, 'third')).toMatchObject({ lifecycle: 'READY', waitingFor: reason, attempts: 0 });
    const log = await events(workflowId);
    expect(log).toContainEqual(
      expect.objectContaining({ type: WorkflowEventType.AgentStatus, stepId: 'third', waitingFor: reason }),
    );
    expect(log).toContainEqual(
      expect.objectContaining({
        type: WorkflowEventType.Log,
        stepId: 'third',
        message: `step third waits: ${reason}`,
      }),
    );
    expect(await admin.json<BudgetStatus>('/admin/budgets/tenants/acme')).toMatchObject({
      spent: { tokens: 1000 },
      isExhausted: true,
    });

    // Another tenant's workflow runs to the end meanwhile, and acme's stays where it was.
    const other = await start('globex');
    await stateWhen(other, 'globex completed', (found) => found.status === WorkflowStatus.Completed);
    expect(await state(workflowId)).toMatchObject({ status: WorkflowStatus.Waiting });
    expect(stepOf(await state(workflowId), 'third')).toMatchObject({
      lifecycle: 'READY',
      waitingFor: reason,
    });
    expect(
      (await events(other)).some((event) => 'status' in event && event.status === WorkflowStatus.Waiting),
    ).toBe(false);
    const callsBeforeRaise = server.calls.length;

    // Raised: the waiting job is woken at once, well before its own 45 s wait would end.
    const raisedAt = performance.now();
    const raised = await put('/admin/budgets/tenants/acme', { tokens: 10 * TOKENS_PER_CALL });
    expect(await raised.json()).toMatchObject({ limit: { tokens: 5000 }, isExhausted: false, wokenSteps: 1 });
    const finished = await stateWhen(
      workflowId,
      'acme completed',
      (found) => found.status === WorkflowStatus.Completed,
      15_000,
    );
    expect(performance.now() - raisedAt).toBeLessThan(15_000);
    expect(stepOf(finished, 'third')).toMatchObject({
      lifecycle: 'COMPLETED',
      attempts: 1,
      waitingFor: null,
    });
    expect(server.calls.length).toBe(callsBeforeRaise + 1);
  });

  it('lets the call that crosses a workflow budget finish, holds its next step, and goes on when an admin raises that budget', async () => {
    const workflowId = await start('initech', { budget: { tokens: 300 } });
    const reason = 'budget exhausted: workflow 500/300 tokens';
    const waiting = await stateWhen(
      workflowId,
      'second step waiting',
      (found) => stepOf(found, 'second').waitingFor !== null,
    );
    expect(waiting.status).toBe(WorkflowStatus.Waiting);
    // The first step's call spent 500 of 300 and still completed; the second never began.
    expect(stepOf(waiting, 'first')).toMatchObject({ lifecycle: 'COMPLETED' });
    expect(stepOf(waiting, 'second')).toMatchObject({ lifecycle: 'READY', waitingFor: reason, attempts: 0 });
    expect(await events(workflowId)).toContainEqual(
      expect.objectContaining({ type: WorkflowEventType.Log, message: `step second waits: ${reason}` }),
    );
    // The tenant's own budget is untouched by it: another of its workflows, without a budget, completes.
    const unbudgeted = await start('initech');
    await stateWhen(unbudgeted, 'unbudgeted completed', (found) => found.status === WorkflowStatus.Completed);

    const raised = await put(`/admin/budgets/workflows/${workflowId}`, { tokens: 5000 });
    expect(await raised.json()).toMatchObject({ scope: 'workflow', spent: { tokens: 500 }, wokenSteps: 1 });
    await stateWhen(
      workflowId,
      'budgeted completed',
      (found) => found.status === WorkflowStatus.Completed,
      15_000,
    );
  });

  it('a cancel ends a workflow waiting for its budget', async () => {
    const workflowId = await start('initech', { budget: { costUsd: 0.000001 } });
    await stateWhen(
      workflowId,
      'second step waiting',
      (found) => stepOf(found, 'second').waitingFor !== null,
    );
    // 400 prompt tokens at 1 USD and 100 completion tokens at 2 USD per million.
    expect(stepOf(await state(workflowId), 'second').waitingFor).toBe(
      'budget exhausted: workflow 0.0006/0.000001 USD',
    );
    expect((await client('initech').post(`/workflows/${workflowId}/cancel`)).status).toBe(200);
    expect((await state(workflowId)).status).toBe(WorkflowStatus.Cancelled);
  });

  it.each([
    [{ budget: { tokens: -5 } }, 'budget.tokens must be 1 or more'],
    [{ budget: { tokens: 1.5 } }, 'budget.tokens must be a whole number of tokens'],
    [{ budget: { costUsd: 'lots' } }, 'budget.costUsd must be a number of USD'],
    [{ budget: { tokens: 10, dollars: 3 } }, 'dollars should not exist'],
    [{ budget: 100 }, 'budget must be an object with tokens and/or costUsd'],
  ])('refuses a start request with a bad budget %j (400, saying what is wrong)', async (extra, message) => {
    const response = await client('acme').post('/workflows', {
      type: 'BUDGET_CHAIN',
      input: {},
      sessionId: 'bad-budget',
      ...extra,
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(message);
  });

  it('refuses bad admin budgets (400), unknown scopes and workflows (404), and a client key (403)', async () => {
    const negative = await put('/admin/budgets/tenants/acme', { tokens: -1 });
    expect(negative.status).toBe(400);
    expect(await negative.text()).toContain('tokens must be 0 or more, or null for no limit');
    const unknownField = await put('/admin/budgets/tenants/acme', { tokens: 1, perDay: true });
    expect(unknownField.status).toBe(400);
    expect(await unknownField.text()).toContain('property perDay should not exist');
    expect((await put('/admin/budgets/planets/mars', { tokens: 1 })).status).toBe(404);
    expect(
      (await put(`/admin/budgets/workflows/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, {})).status,
    ).toBe(404);
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', { tokens: 1_000_000 }],
    ] as const) {
      const response = await client('acme').request(method, '/admin/budgets/tenants/acme', body);
      expect(response.status).toBe(403);
    }
    // null lifts a limit (no default here): nothing waits on it.
    const lifted = await put('/admin/budgets/tenants/acme', { tokens: null });
    expect(await lifted.json()).toMatchObject({ limit: { tokens: null, costUsd: null }, isExhausted: false });
  });

  it('ao budgets set and get a budget; a bad value or scope is a usage error that changes nothing, a client key is refused', async () => {
    const env = { AO_URL: apps[0].url, AO_KEY: TEST_ADMIN_KEY };
    const set = await runCli(
      ['budgets', 'set', 'tenants', 'from-cli', '--tokens', '5000', '--cost-usd', 'none', '-o', 'json'],
      env,
    );
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual([
      expect.objectContaining({
        scope: 'tenant',
        subject: 'from-cli',
        limit: { tokens: 5000, costUsd: null },
        isExhausted: false,
        wokenSteps: 0,
      }),
    ]);
    const got = await runCli(['budgets', 'get', 'tenants', 'from-cli'], env);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/tenant\s+from-cli\s+\d{4}-\d{2}-\d{2}\s+0\/5000\s+0\/none\s+no/);

    const word = await runCli(['budgets', 'set', 'tenants', 'from-cli', '--tokens', 'lots'], env);
    expect([word.code, word.stderr.trim()]).toEqual([
      2,
      'ao: --tokens must be a number or "none"; got "lots"',
    ]);
    const negative = await runCli(['budgets', 'set', 'tenants', 'from-cli', '--tokens', '-1'], env);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('invalid request');
    const planets = await runCli(['budgets', 'get', 'planets', 'mars'], env);
    expect([planets.code, planets.stderr.trim()]).toEqual([
      2,
      'ao: unknown scope "planets": use workflows, tenants, agents',
    ]);
    expect(await admin.json<BudgetStatus>('/admin/budgets/tenants/from-cli')).toMatchObject({
      limit: { tokens: 5000, costUsd: null },
    });

    const asClient = await runCli(['budgets', 'get', 'tenants', 'acme'], { ...env, AO_KEY: keys.acme.key });
    expect(asClient.code).toBe(5);
  });
});

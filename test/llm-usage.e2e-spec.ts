import { CreatedApiKey, StepTokensEvent, UsageSummary, WorkflowState, WorkflowStatus } from '@app/contracts';
import {
  OpenAiCompatibleTestServer,
  answer,
  refuse,
  stream,
  TestReply,
} from '../libs/agent-sdk/src/llm/testing/open-ai-compatible.test-server';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { TEST_ADMIN_KEY, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';

/** The model the orchestrator is told to use, and its price (USD per million tokens) from LLM_PRICES. */
const MODEL = 'e2e-model';
const PRICE = { prompt: 2, completion: 4 };
const STREAMED = ['Leaf', ' and', ' Cup', ' tea', ' shop'];
/** A model the server always rate-limits for 30 s, and the fallback CIRCUIT_BREAKERS gives it. */
const PRIMARY = 'e2e-primary';
const FALLBACK = 'e2e-fallback';
const HELD = ['The first forty characters of the answer', ' and forty more before the model stalls'];

interface LlmCallRow extends Record<string, unknown> {
  outcome: string;
  prompt_tokens: number;
  completion_tokens: number;
  is_estimated: boolean;
  cost_usd: string;
  model: string;
  agent: string;
  tenant_id: string;
}

/**
 * Language-model usage end to end: the gateway, one orchestrator running an agent that calls its
 * `context.llm`, the metrics service, and a local OpenAI-compatible server the test controls.
 */
describe('language-model usage and streamed tokens', () => {
  const namespace = new TestNamespace();
  let server: OpenAiCompatibleTestServer;
  /** What the server reported spending, per answered call. */
  const reported: Array<{ prompt: string; promptTokens: number; completionTokens: number }> = [];
  const rateLimited = new Set<string>();
  let releaseStream: () => void = () => {};
  let releaseHeld: () => void = () => {};
  let apps: AppProcess[] = [];
  let api: ApiClient;
  let client: WorkflowClient;

  /**
   * Answers by the prompt: `rate-limited:` is refused once, `stream:` streamed, `hold:` stalls
   * mid-stream. The streamed ones start when the test releases them: step tokens are live only, so
   * pieces published before the test has subscribed to the workflow would never reach it.
   */
  const reply: TestReply = async (response, body) => {
    const prompt = body.messages.at(-1)!.content;
    if (body.model === PRIMARY)
      return refuse(429, { message: 'slow down' }, { 'retry-after': '30' })(response, body);
    if (prompt.startsWith('fallback:'))
      return answer(
        `{"echo":${JSON.stringify(prompt)}}`,
        { prompt_tokens: 12, completion_tokens: 3 },
        body.model,
      )(response, body);
    if (prompt.startsWith('rate-limited:') && !rateLimited.has(prompt)) {
      rateLimited.add(prompt);
      return refuse(429, { message: 'slow down' }, { 'retry-after': '0' })(response, body);
    }
    if (prompt.startsWith('stream:')) {
      await new Promise<void>((resolve) => (releaseStream = resolve));
      reported.push({ prompt, promptTokens: 21, completionTokens: STREAMED.length });
      return stream(STREAMED, {
        pauseMs: 100,
        usage: { prompt_tokens: 21, completion_tokens: STREAMED.length },
      })(response, body);
    }
    if (prompt.startsWith('hold:')) {
      await new Promise<void>((resolve) => (releaseHeld = resolve));
      return stream([...HELD, 'never sent'], { pauseMs: 50, holdAfter: 2 })(response, body);
    }
    const usage = { prompt_tokens: 10 + prompt.length, completion_tokens: 7 };
    reported.push({ prompt, promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens });
    return answer(`{"echo":${JSON.stringify(prompt)}}`, usage, MODEL)(response, body);
  };

  const callsOf = (workflowId: string) =>
    namespace.query<LlmCallRow>('SELECT * FROM llm_calls WHERE workflow_id = $1 ORDER BY started_at', [
      workflowId,
    ]);

  const start = (input: Record<string, unknown>) =>
    api.startWorkflow({ type: 'LLM_CHAT', input, sessionId: 'llm-usage' });

  beforeAll(async () => {
    await namespace.prepare();
    server = await OpenAiCompatibleTestServer.start([reply]);
    const env = namespace.env({
      AGENT_MODULES: 'test/support/test-llm-agents.ts',
      LLM_BASE_URL: server.baseUrl,
      LLM_MODEL: MODEL,
      LLM_API_KEY: 'sk-e2e',
      LLM_PRICES: JSON.stringify({ [MODEL]: PRICE }),
      CIRCUIT_BREAKERS: JSON.stringify({
        [`llm:openai-compatible:${PRIMARY}`]: { fallback: `llm:openai-compatible:${FALLBACK}` },
      }),
    });
    apps = await AppProcess.startAll(['gateway', 'orchestrator', 'metrics'], env);
    api = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    await api.defineWorkflow('LLM_CHAT', [{ id: 'chat', agent: 'test-llm-chat' }]);
    client = new WorkflowClient(apps[0].url);
    await client.connected();
  });

  afterAll(async () => {
    client?.close();
    await Promise.all(apps.map((app) => app.stop()));
    await server?.close();
    await namespace.dispose();
  });

  it('records every call in PostgreSQL with the tokens the server reported, a refused call with none, and sums them over REST by tenant', async () => {
    const prompts = ['alpha', 'rate-limited:beta', 'gamma'];
    const workflowId = await start({ prompts });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    expect(await client.finished(workflowId)).toMatchObject({ status: WorkflowStatus.Completed });

    const rows = await waitFor(async () => {
      const found = await callsOf(workflowId);
      return found.length === 4 ? found : undefined;
    }, 'the four calls in llm_calls');
    const spent = reported.filter((call) => prompts.includes(call.prompt));
    const promptTokens = spent.reduce((sum, call) => sum + call.promptTokens, 0);
    const completionTokens = spent.reduce((sum, call) => sum + call.completionTokens, 0);
    expect(rows.map((row) => row.outcome).sort()).toEqual(['ok', 'ok', 'ok', 'rate-limited']);
    expect(rows.find((row) => row.outcome === 'rate-limited')).toMatchObject({
      prompt_tokens: 0,
      completion_tokens: 0,
    });
    expect(rows.reduce((sum, row) => sum + row.prompt_tokens, 0)).toBe(promptTokens);
    expect(rows.reduce((sum, row) => sum + row.completion_tokens, 0)).toBe(completionTokens);
    expect(
      rows.every(
        (row) =>
          row.agent === 'test-llm-chat' &&
          row.model === MODEL &&
          row.tenant_id === 'default' &&
          !row.is_estimated,
      ),
    ).toBe(true);
    const cost = (promptTokens * PRICE.prompt + completionTokens * PRICE.completion) / 1e6;
    expect(rows.reduce((sum, row) => sum + Number(row.cost_usd), 0)).toBeCloseTo(cost, 9);

    const state = await api.json<WorkflowState>(`/workflows/${workflowId}`);
    expect(state.metrics).toMatchObject({ llmCalls: 3, llmTokens: promptTokens + completionTokens });

    const byModel = await api.json<UsageSummary>('/usage?groupBy=model');
    expect(byModel.groups).toEqual([
      expect.objectContaining({ key: MODEL, calls: 4, failedCalls: 1, promptTokens, completionTokens }),
    ]);
    expect(byModel.total.costUsd).toBeCloseTo(cost, 9);
    const today = new Date().toISOString().slice(0, 10);
    expect((await api.json<UsageSummary>('/usage?groupBy=day')).groups).toEqual([
      expect.objectContaining({ key: today, calls: 4 }),
    ]);

    const keyOf = async (tenantId: string) => {
      const response = await api.post('/admin/keys', {
        tenantId,
        role: 'client',
        name: `usage of ${tenantId}`,
      });
      return api.as(((await response.json()) as CreatedApiKey).key);
    };
    const own = await (await keyOf('default')).json<UsageSummary>('/usage?groupBy=agent');
    expect(own).toMatchObject({
      tenantId: 'default',
      groups: [expect.objectContaining({ key: 'test-llm-chat', calls: 4 })],
    });
    const other = await keyOf('globex');
    expect(await other.json<UsageSummary>('/usage?groupBy=tenant')).toMatchObject({
      tenantId: 'globex',
      groups: [],
      total: { calls: 0 },
    });
    expect((await other.get('/usage?groupBy=tenant&tenantId=default')).status).toBe(403);
    expect((await api.get('/usage?groupBy=colour')).status).toBe(400);
  });

  it('streams the model’s pieces live over Socket.IO, in order, before the step completes', async () => {
    const arrivals: Array<{ kind: 'tokens'; event: StepTokensEvent } | { kind: 'complete' }> = [];
    client.socket.on('step.tokens', (event: StepTokensEvent) => arrivals.push({ kind: 'tokens', event }));
    const workflowId = await start({ prompts: ['stream: name the shop'], isStreamed: true });
    client.socket.on('complete', (event: { workflowId: string }) => {
      if (event.workflowId === workflowId) arrivals.push({ kind: 'complete' });
    });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    await waitFor(
      async () =>
        server.calls.some((call) => call.body.messages.at(-1)?.content.startsWith('stream:'))
          ? true
          : undefined,
      'the streamed call',
    );
    releaseStream();

    const finished = await client.finished(workflowId);
    expect(finished).toMatchObject({
      status: WorkflowStatus.Completed,
      result: { chat: { answers: [STREAMED.join('')] } },
    });
    const tokens = arrivals.flatMap((arrival) =>
      arrival.kind === 'tokens' && arrival.event.workflowId === workflowId ? [arrival.event] : [],
    );
    expect(tokens.map(({ stepId, sequence, text }) => ({ stepId, sequence, text }))).toEqual(
      STREAMED.map((text, index) => ({ stepId: 'chat', sequence: index + 1, text })),
    );
    const completeAt = arrivals.findIndex((arrival) => arrival.kind === 'complete');
    expect(completeAt).toBeGreaterThan(
      arrivals.indexOf(arrivals.filter((arrival) => arrival.kind === 'tokens').at(-1)!),
    );
    const [row] = await waitFor(
      async () => ((await callsOf(workflowId)).length === 1 ? callsOf(workflowId) : undefined),
      'the streamed call row',
    );
    expect(row).toMatchObject({
      outcome: 'ok',
      prompt_tokens: 21,
      completion_tokens: STREAMED.length,
      is_estimated: false,
    });
  });

  it('aborts the provider’s stream when the workflow is cancelled, and keeps the partial tokens, estimated', async () => {
    const received: StepTokensEvent[] = [];
    let workflowId = '';
    const twoPieces = new Promise<void>((resolve) =>
      client.socket.on('step.tokens', (event: StepTokensEvent) => {
        if (event.workflowId !== workflowId) return;
        received.push(event);
        if (received.length === 2) resolve();
      }),
    );
    workflowId = await start({ prompts: ['hold: write at length'], isStreamed: true });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    const call = await waitFor(
      async () =>
        server.calls.find((candidate) => candidate.body.messages.at(-1)?.content.startsWith('hold:')),
      'the held call',
    );
    releaseHeld();
    await twoPieces;

    expect((await api.post(`/workflows/${workflowId}/cancel`)).status).toBe(200);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      call.closed,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('the provider connection stayed open')), 10_000);
      }),
    ]).finally(() => clearTimeout(timer));

    const [row] = await waitFor(async () => {
      const rows = await callsOf(workflowId);
      return rows.length === 1 ? rows : undefined;
    }, 'the cancelled call row');
    expect(row).toMatchObject({
      outcome: 'cancelled',
      is_estimated: true,
      completion_tokens: Math.ceil(HELD.join('').length / 4),
      prompt_tokens: Math.ceil('hold: write at length'.length / 4) + 4,
    });
    expect(received.map((event) => event.text)).toEqual(HELD);
  });

  it('calls the fallback model while the primary’s breaker is open after its 429, and the usage rows name the model that answered', async () => {
    const prompts = ['fallback: one', 'fallback: two'];
    const workflowId = await start({ prompts, model: PRIMARY });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    expect(await client.finished(workflowId)).toMatchObject({
      status: WorkflowStatus.Completed,
      result: { chat: { answers: prompts.map((prompt) => `{"echo":${JSON.stringify(prompt)}}`) } },
    });
    // The 429 opened the primary's breaker for its Retry-After (30 s): the same call went to the
    // fallback at once, and the next call straight to it.
    const asked = server.calls
      .filter((call) => call.body.messages.at(-1)?.content.startsWith('fallback:'))
      .map((call) => [call.body.messages.at(-1)?.content, call.body.model]);
    expect(asked).toEqual([
      [prompts[0], PRIMARY],
      [prompts[0], FALLBACK],
      [prompts[1], FALLBACK],
    ]);
    const rows = await waitFor(async () => {
      const found = await callsOf(workflowId);
      return found.length === 3 ? found : undefined;
    }, 'the three calls in llm_calls');
    expect(rows.map((row) => [row.model, row.outcome]).sort()).toEqual([
      [FALLBACK, 'ok'],
      [FALLBACK, 'ok'],
      [PRIMARY, 'rate-limited'],
    ]);
    const state = await api.json<WorkflowState>(`/workflows/${workflowId}`);
    expect(state.steps[0].attempts).toBe(1);
    expect(state.metrics).toMatchObject({ llmCalls: 2, llmTokens: 30 });
    // The step's log says so, and the worker's log that the primary's breaker opened.
    expect(JSON.stringify(client.of(workflowId))).toContain(
      `${PRIMARY}'s circuit breaker is open: calling ${FALLBACK} instead`,
    );
    expect(apps[1].logs).toContain(`circuit breaker llm:openai-compatible:${PRIMARY} → open`);
  });
});

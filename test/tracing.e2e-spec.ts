import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogPage, WorkflowState, WorkflowStatus } from '@app/contracts';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { FakeLlmServer } from './support/fake-llm-server';
import { OtlpTraceReceiver, ReceivedSpan } from './support/otlp-trace-receiver';
import { TEST_ADMIN_KEY, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';

const SERVER_KIND = 2;
const CLIENT_KIND = 3;

/** The database a client span talks to, under the stable semantic conventions' name or the old one. */
const databaseOf = (span: ReceivedSpan) => span.attributes['db.system.name'] ?? span.attributes['db.system'];

/**
 * Tracing on (an OTLP endpoint set), through the three apps as processes, exported over OTLP/HTTP
 * with the JSON protocol to a receiver of the test's own.
 */
describe('OpenTelemetry traces', () => {
  const namespace = new TestNamespace();
  let sitesDir: string;
  let llm: FakeLlmServer;
  let receiver: OtlpTraceReceiver;
  let apps: AppProcess[] = [];
  let api: ApiClient;
  let client: WorkflowClient;

  beforeAll(async () => {
    await namespace.prepare();
    sitesDir = await mkdtemp(join(tmpdir(), 'tracing-e2e-'));
    llm = await FakeLlmServer.start();
    receiver = await OtlpTraceReceiver.start();
    const env = namespace.env({
      SITES_DIR: sitesDir,
      AGENT_MODULES: 'test/support/test-agents.ts',
      LLM_BASE_URL: llm.url,
      LLM_MODEL: 'fake-model',
      // The JSON log lines are checked too.
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      // Batches leave every 200 ms rather than every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    apps = await AppProcess.startAll(['gateway', 'orchestrator', 'metrics'], env);
    api = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    await api.defineWorkflow('FLAKY', [{ id: 'flaky', agent: 'test-flaky' }]);
    client = new WorkflowClient(apps[0].url);
    await client.connected();
  });

  afterAll(async () => {
    client?.close();
    await Promise.all(apps.map((app) => app.stop()));
    await receiver?.close();
    await llm?.close();
    await namespace.dispose();
    await rm(sitesDir, { recursive: true, force: true });
  });

  it('puts a CREATE_SITE in one trace: the request, a span per step beneath the workflow’s, the model calls with their tokens, and its id in the status and log rows', async () => {
    const workflowId = await api.startWorkflow({
      type: 'CREATE_SITE',
      input: { request: 'Create a portfolio website for a wildlife photographer' },
      sessionId: 'tracing',
    });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    expect(await client.finished(workflowId)).toMatchObject({ status: WorkflowStatus.Completed });

    const state = await api.json<WorkflowState>(`/workflows/${workflowId}`);
    expect(state.traceId).toMatch(/^[0-9a-f]{32}$/);
    const traceId = state.traceId!;
    const named = (spans: ReceivedSpan[], prefix: string) =>
      spans.filter((span) => span.traceId === traceId && span.name.startsWith(prefix));
    await receiver.waitFor(
      (spans) =>
        named(spans, 'invoke_agent ').length === state.steps.length &&
        named(spans, 'chat ').length === llm.calls.length,
    );
    const spans = receiver.trace(traceId);
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const ancestors = (span: ReceivedSpan): ReceivedSpan[] => {
      const parent = byId.get(span.parentSpanId);
      return parent ? [parent, ...ancestors(parent)] : [];
    };

    // The gateway's request span is the trace's root, and the workflow's span lies beneath it.
    const [request] = spans.filter((span) => span.parentSpanId === '');
    expect(spans.filter((span) => span.parentSpanId === '')).toHaveLength(1);
    expect(request).toMatchObject({ service: 'gateway', kind: SERVER_KIND });
    expect(request.attributes['http.target'] ?? request.attributes['url.path']).toBe('/workflows');
    const [start] = named(spans, 'start_workflow CREATE_SITE');
    expect(start).toMatchObject({ service: 'gateway' });
    expect(start.attributes['ao.workflow.id']).toBe(workflowId);
    expect(ancestors(start)).toContain(request);

    // Each step: one invoke_agent span, on the orchestrator, a child of the workflow's span.
    const steps = named(spans, 'invoke_agent ');
    expect(steps.map((span) => span.attributes['ao.step.id']).sort()).toEqual(
      state.steps.map((step) => step.stepId).sort(),
    );
    for (const step of state.steps) {
      const span = steps.find((candidate) => candidate.attributes['ao.step.id'] === step.stepId)!;
      expect(span).toMatchObject({
        service: 'orchestrator',
        name: `invoke_agent ${step.agent}`,
        parentSpanId: start.spanId,
        attributes: expect.objectContaining({
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.agent.name': step.agent,
          'ao.workflow.id': workflowId,
        }) as unknown,
      });
    }
    // The store's Redis calls show beneath the steps.
    const stepIds = new Set(steps.map((span) => span.spanId));
    expect(spans.some((span) => databaseOf(span) === 'redis' && stepIds.has(span.parentSpanId))).toBe(true);

    // Each model call: a chat span inside its step's span, with the model and the tokens it spent.
    const chats = named(spans, 'chat ');
    expect(
      chats
        .map((span) => [
          span.attributes['gen_ai.usage.input_tokens'],
          span.attributes['gen_ai.usage.output_tokens'],
        ])
        .sort(),
    ).toEqual(llm.calls.map((call) => [call.promptTokens, call.completionTokens]).sort());
    for (const chat of chats) {
      expect(chat).toMatchObject({
        name: 'chat fake-model',
        kind: CLIENT_KIND,
        attributes: expect.objectContaining({
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'fake-model',
        }) as unknown,
      });
      expect(stepIds.has(chat.parentSpanId)).toBe(true);
    }

    // Every log row of a step names the trace, and the span of the step that wrote it.
    let logs: LogPage = { items: [], total: 0, nextCursor: null };
    const expectedRows = state.steps.length; // at least the completion row of each step
    const deadline = Date.now() + 20_000;
    while (logs.items.length < expectedRows && Date.now() < deadline) {
      logs = await api.json<LogPage>(`/workflows/${workflowId}/logs?limit=100`);
      if (logs.items.length < expectedRows) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const stepRows = logs.items.filter((row) => typeof row.metadata.stepId === 'string');
    expect(stepRows.length).toBeGreaterThanOrEqual(state.steps.length);
    for (const row of stepRows) {
      expect(row.metadata).toMatchObject({ traceId });
      expect(stepIds.has(row.metadata.spanId as string)).toBe(true);
    }

    // And the apps' JSON log lines written inside a span carry its ids.
    expect(apps[0].logs).toContain(`"traceId":"${traceId}"`);

    // Reading the logs queried PostgreSQL: those queries are spans beneath the request's.
    const isQuery = (span: ReceivedSpan) => span.service === 'gateway' && databaseOf(span) === 'postgresql';
    await receiver.waitFor((received) => received.some(isQuery));
    expect(receiver.spans.find(isQuery)!.parentSpanId).not.toBe('');
  });

  it('keeps every retry of a step in the workflow’s trace: a span per attempt beneath the workflow’s', async () => {
    // test-flaky fails twice with a network error; each retry is a new, delayed queue job.
    const workflowId = await api.startWorkflow({ type: 'FLAKY', input: {}, sessionId: 'tracing-retry' });
    const { traceId } = await waitFor(async () => {
      const state = await api.json<WorkflowState>(`/workflows/${workflowId}`);
      return state.status === WorkflowStatus.Completed ? state : undefined;
    }, 'the flaky workflow to complete');
    const attempts = () => receiver.trace(traceId!).filter((span) => span.name === 'invoke_agent test-flaky');
    await receiver.waitFor(() => attempts().length === 3);
    const [start] = receiver.trace(traceId!).filter((span) => span.name === 'start_workflow FLAKY');
    expect(
      attempts()
        .map((span) => ({ attempt: span.attributes['ao.step.attempt'], parent: span.parentSpanId }))
        .sort((a, b) => Number(a.attempt) - Number(b.attempt)),
    ).toEqual([1, 2, 3].map((attempt) => ({ attempt, parent: start.spanId })));
  });

  it('starts the workflow’s trace from a socket’s workflow.start just the same', async () => {
    const ack = (await client.socket.emitWithAck('workflow.start', {
      type: 'CREATE_SITE',
      input: { request: 'Create a website for a bakery in Lyon' },
      sessionId: 'tracing-socket',
    })) as { ok: boolean; workflowId: string };
    expect(ack.ok).toBe(true);
    expect(await client.finished(ack.workflowId)).toMatchObject({ status: WorkflowStatus.Completed });
    const { traceId, steps } = await api.json<WorkflowState>(`/workflows/${ack.workflowId}`);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const stepSpans = () => receiver.trace(traceId!).filter((span) => span.name.startsWith('invoke_agent '));
    await receiver.waitFor(() => stepSpans().length === steps.length);

    const [start] = receiver.trace(traceId!).filter((span) => span.name === 'start_workflow CREATE_SITE');
    expect(start).toMatchObject({ service: 'gateway' });
    for (const span of stepSpans()) expect(span.parentSpanId).toBe(start.spanId);

    // The gateway relayed the workflow's events to this socket: spans of their own (fan-out),
    // each linked to the workflow's trace.
    const relays = () =>
      receiver.spans.filter(
        (span) =>
          span.name === 'relay workflow events' && span.attributes['ao.workflow.id'] === ack.workflowId,
      );
    await receiver.waitFor(() => relays().length > 0);
    for (const relay of relays()) {
      expect(relay).toMatchObject({ service: 'gateway', parentSpanId: '' });
      expect(relay.links).toEqual([expect.objectContaining({ traceId, spanId: start.spanId })]);
    }
  });
});

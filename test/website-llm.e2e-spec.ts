import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowState, WorkflowStatus } from '@app/contracts';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { FakeLlmServer } from './support/fake-llm-server';
import { TEST_ADMIN_KEY, TestNamespace } from './support/test-environment';
import { WorkflowClient } from './support/workflow-client';

/**
 * CREATE_SITE with a language-model provider (a local OpenAI-compatible server that takes its
 * time, as real ones do), through the gateway and one orchestrator process.
 */
describe('the website builder with a language model', () => {
  const namespace = new TestNamespace();
  let sitesDir: string;
  let llm: FakeLlmServer;
  let apps: AppProcess[] = [];
  let api: ApiClient;
  let client: WorkflowClient;

  beforeAll(async () => {
    await namespace.prepare();
    sitesDir = await mkdtemp(join(tmpdir(), 'website-llm-e2e-'));
    llm = await FakeLlmServer.start({ delayMs: { 'write-copy': 800 } });
    const env = namespace.env({ SITES_DIR: sitesDir, LLM_BASE_URL: llm.url, LLM_MODEL: 'fake-model' });
    apps = await AppProcess.startAll(['gateway', 'orchestrator'], env);
    api = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    client = new WorkflowClient(apps[0].url);
    await client.connected();
  });

  afterAll(async () => {
    client?.close();
    await Promise.all(apps.map((app) => app.stop()));
    await llm?.close();
    await namespace.dispose();
    await rm(sitesDir, { recursive: true, force: true });
  });

  it('designs the site while the content step waits for the model, in one orchestrator, and counts the tokens it spent', async () => {
    const workflowId = await api.startWorkflow({
      type: 'CREATE_SITE',
      input: { request: 'Create a portfolio website for a wildlife photographer' },
      sessionId: 'llm',
    });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    expect(await client.finished(workflowId)).toMatchObject({ status: WorkflowStatus.Completed });

    const state = await api.json<WorkflowState>(`/workflows/${workflowId}`);
    const time = (stepId: string) => {
      const step = state.steps.find((candidate) => candidate.stepId === stepId)!;
      return { startedAt: Date.parse(step.startedAt!), finishedAt: Date.parse(step.finishedAt!) };
    };
    const content = time('content');
    const design = time('design');
    expect(design.startedAt).toBeLessThan(content.finishedAt);
    expect(content.startedAt).toBeLessThan(design.finishedAt);
    expect(llm.calls.map((call) => call.task).sort()).toEqual(['plan-site', 'write-copy']);
    expect(state.metrics).toMatchObject({
      llmCalls: 2,
      llmTokens: llm.calls.reduce((total, call) => total + call.promptTokens + call.completionTokens, 0),
    });
  });

  it('rejects a plan that drops the RSVP and travel pages asked for, asks the model again and publishes the repaired plan', async () => {
    llm.calls.splice(0);
    llm.dropPagesOnce(['rsvp', 'travel']);
    const workflowId = await api.startWorkflow({
      type: 'CREATE_SITE',
      input: {
        request:
          'A wedding site for Ana and Luis on 12 September 2026 in Sintra with RSVP info and travel tips',
      },
      sessionId: 'llm-repair',
    });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    expect(await client.finished(workflowId)).toMatchObject({ status: WorkflowStatus.Completed });

    const plans = llm.calls.filter((call) => call.task === 'plan-site');
    expect(plans.map((call) => call.repairOf)).toEqual([
      null,
      expect.stringContaining('it drops what the request asked for: no section of kind rsvp, travel'),
    ]);
    const state = await api.json<WorkflowState>(`/workflows/${workflowId}`);
    expect(state.metrics).toMatchObject({ llmCalls: 3 });
    const { siteId } = (state.result as { deploy: { siteId: string } }).deploy;
    for (const page of ['rsvp.html', 'travel.html']) {
      const served = await api.as(null).get(`/sites/${siteId}/${page}`);
      expect([page, served.status]).toEqual([page, 200]);
    }
  });
});

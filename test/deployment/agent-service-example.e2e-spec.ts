import {
  AgentWorkerStatus,
  LogEvent,
  RegisteredAgent,
  WorkflowEventType,
  WorkflowState,
  WorkflowStatus,
} from '@app/contracts';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasExited } from '../support/child-exit';
import { ApiClient } from '../support/api-client';
import { AppProcess } from '../support/app-process';
import { TEST_ADMIN_KEY, TEST_REDIS_URL, TestNamespace } from '../support/test-environment';
import { waitFor } from '../support/wait-for';
import { WorkflowClient } from '../support/workflow-client';
import { REPO_ROOT } from './deployment-files';
import { cleanEnvironment, run } from './production-build';

const EXAMPLE = 'examples/agent-service';
const READY_TIMEOUT_MS = 30_000;

const ARTICLE =
  'Otters are semi-aquatic mammals that live along rivers and coasts. ' +
  'Sea otters use stones as tools to crack open shellfish, and otters hold hands while they sleep. ' +
  'River otters dig dens in river banks. ' +
  'The weather was pleasant on Tuesday. ' +
  'Otters groom their dense fur for hours, because otters rely on fur rather than fat to stay warm in cold water.';

/** The example service as its README builds it: the SDK packed, the service installed from the tarball and compiled. */
async function buildExample(root: string): Promise<string> {
  const sdk = join(root, 'sdk');
  await run('npm', ['run', 'build:sdk', '--', '--configOutDir', sdk], REPO_ROOT);
  // Where the example's package.json looks for the tarball: dist/packages, two levels above it.
  mkdirSync(join(root, 'dist/packages'), { recursive: true });
  await run('npm', ['pack', sdk, '--pack-destination', join(root, 'dist/packages')], REPO_ROOT);
  const service = join(root, EXAMPLE);
  mkdirSync(service, { recursive: true });
  for (const path of ['package.json', 'tsconfig.json', 'src'])
    cpSync(join(REPO_ROOT, EXAMPLE, path), join(service, path), { recursive: true });
  await run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], service);
  await run('npm', ['run', 'build'], service);
  return service;
}

/** `npm start` of the service, as its image runs it; resolves once its worker has announced itself. */
async function startService(
  dir: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; workerId: string; output: () => string }> {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: dir,
    env: cleanEnvironment({ ...env, NODE_ENV: 'production' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const workerId = await waitFor(
    async () => {
      if (hasExited(child))
        throw new Error(`the service exited (${child.exitCode ?? child.signalCode}):\n${output}`);
      return /ready: worker (\S+)/.exec(output)?.[1];
    },
    'the example service to announce its worker',
    READY_TIMEOUT_MS,
  );
  return { child, workerId, output: () => output };
}

/**
 * examples/agent-service, the way someone outside this repository would use it: the SDK built and
 * packed as a package, the service installed from the tarball and compiled on its own, then run
 * as its own process beside the gateway and the orchestrator, serving an agent they do not have.
 */
describe('examples/agent-service', () => {
  const namespace = new TestNamespace();
  const root = mkdtempSync(join(tmpdir(), 'agent-service-example-'));
  const livenessFile = join(root, 'alive');
  let apps: AppProcess[] = [];
  let api: ApiClient;
  let client: WorkflowClient;
  let service: Awaited<ReturnType<typeof startService>>;

  const runWorkflow = async (input: Record<string, unknown>) => {
    const workflowId = await api.startWorkflow({ type: 'SUMMARISE', input, sessionId: 'example' });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    await client.finished(workflowId);
    return api.json<WorkflowState>(`/workflows/${workflowId}`);
  };
  const outputOf = async (workflowId: string, stepId: string) =>
    (await api.json<{ output: Record<string, unknown> }>(`/workflows/${workflowId}/outputs/${stepId}`))
      .output;

  beforeAll(async () => {
    const [serviceDir] = await Promise.all([
      buildExample(root),
      namespace
        .prepare()
        .then(async () => (apps = await AppProcess.startAll(['gateway', 'orchestrator'], namespace.env()))),
    ]);
    service = await startService(serviceDir, {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: namespace.redisPrefix,
      CONCURRENCY: '2',
      LIVENESS_FILE: livenessFile,
    });
    api = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    client = new WorkflowClient(apps[0].url);
    await client.connected();
    await api.defineWorkflow('SUMMARISE', [
      { id: 'summary', agent: 'text-summary' },
      { id: 'headline', agent: 'text-summary', dependsOn: ['summary'] },
    ]);
  }, 300_000);

  afterAll(async () => {
    client?.close();
    if (service && !hasExited(service.child)) {
      service.child.kill('SIGKILL');
      await once(service.child, 'exit');
    }
    await Promise.all(apps.map((app) => app.stop()));
    await namespace.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('installs the SDK from its tarball with its own dependencies, none of them Nest', () => {
    const installed = join(root, EXAMPLE, 'node_modules');
    const sdk = JSON.parse(
      readFileSync(join(installed, '@agent-orchestrator/agent-sdk/package.json'), 'utf8'),
    ) as { dependencies: Record<string, string> };
    const rootDependencies = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      }
    ).dependencies;
    for (const [name, version] of Object.entries(sdk.dependencies)) {
      expect(version).toBe(rootDependencies[name]);
      expect(existsSync(join(installed, name))).toBe(true);
    }
    expect(Object.keys(sdk.dependencies)).toEqual(expect.arrayContaining(['bullmq', 'ioredis']));
    expect(Object.keys(sdk.dependencies).filter((name) => name.startsWith('@nestjs/'))).toEqual([]);
    expect(existsSync(join(installed, '@agent-orchestrator/agent-sdk/cpu-task.worker.js'))).toBe(true);
  });

  it("runs a workflow's steps on the service's agent: a summary of the input, then a headline of the summary", async () => {
    const state = await runWorkflow({ text: ARTICLE, sentences: 2 });
    expect(state.status).toBe(WorkflowStatus.Completed);

    const summary = await outputOf(state.workflowId, 'summary');
    expect(summary).toMatchObject({ sources: ['input'], sentenceCount: 5, readingMinutes: 1 });
    expect(summary.wordCount).toBe(ARTICLE.split(/\s+/).length);
    expect((summary.keywords as { word: string }[])[0]).toEqual({ word: 'otters', count: 6 });
    // The sentence with nothing about otters is never picked.
    expect(summary.summary).not.toMatch(/weather/);
    expect(String(summary.summary).split(/(?<=\.)\s/)).toHaveLength(2);

    const headline = await outputOf(state.workflowId, 'headline');
    expect(headline.sources).toEqual(['summary']);
    expect(ARTICLE).toContain(String(headline.summary).split(/(?<=\.)\s/)[0]);

    const logs = client.events.filter(
      (event): event is LogEvent =>
        event.workflowId === state.workflowId && event.type === WorkflowEventType.Log,
    );
    expect(logs.map((event) => event.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^summarising \d+ characters from input$/)]),
    );
  });

  it('fails the workflow at once on a ValidationError of the agent, without retrying it', async () => {
    const state = await runWorkflow({ text: '   ' });
    expect(state.status).toBe(WorkflowStatus.Failed);
    expect(state.steps.find((step) => step.stepId === 'summary')).toMatchObject({
      lifecycle: 'FAILED',
      attempts: 1,
      error: expect.stringContaining('input.text must be a non-empty string'),
    });
  });

  it('is listed by GET /workers with its agent, and its agent by GET /agents', async () => {
    const workers = await api.json<AgentWorkerStatus[]>('/workers');
    expect(workers.find((worker) => worker.workerId === service.workerId)).toMatchObject({
      name: 'text-summary-service',
      status: 'alive',
      pid: service.child.pid,
      concurrency: 2,
      agents: [{ name: 'text-summary', version: '1.0.0' }],
      queues: ['steps.text-summary@1'],
    });
    const agents = await api.json<RegisteredAgent[]>('/agents');
    expect(agents.find((agent) => agent.name === 'text-summary')).toMatchObject({
      queue: 'steps.text-summary@1',
      liveWorkers: 1,
    });
    expect(existsSync(livenessFile)).toBe(true);
  });

  it('withdraws and exits 0 on SIGTERM, removing its liveness file', async () => {
    service.child.kill('SIGTERM');
    const [code] = (await once(service.child, 'exit')) as [number | null];
    expect({ code, output: service.output() }).toMatchObject({ code: 0 });
    expect(existsSync(livenessFile)).toBe(false);
    const workers = await api.json<AgentWorkerStatus[]>('/workers');
    expect(workers.find((worker) => worker.workerId === service.workerId)).toMatchObject({
      status: 'gone',
      goneAt: expect.any(String),
    });
  });
});

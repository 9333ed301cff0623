import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BulkActionProgress,
  ReplayWorkflowResponse,
  WorkflowDiffResponse,
  WorkflowState,
  WorkflowStatus,
} from '@app/contracts';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { runCli } from './support/cli-process';
import { TEST_ADMIN_KEY, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';

/** `ao replay`, `ao diff` and `ao bulk` run as processes against the three apps. */
describe('the ao commands for replays, diffs and bulk actions', () => {
  const namespace = new TestNamespace();
  let apps: AppProcess[] = [];
  let api: ApiClient;
  let configDir: string;

  const ao = (args: string[]) =>
    runCli(args, { AO_URL: apps[0].url, AO_KEY: TEST_ADMIN_KEY, AO_CONFIG_DIR: configDir });
  const finished = (workflowId: string) =>
    waitFor(async () => {
      const state = await api.json<WorkflowState>(`/workflows/${workflowId}`);
      return [WorkflowStatus.Completed, WorkflowStatus.Failed].includes(state.status) ? state : undefined;
    }, `workflow ${workflowId} to end`);

  beforeAll(async () => {
    await namespace.prepare();
    configDir = await mkdtemp(join(tmpdir(), 'cli-replay-config-'));
    const env = namespace.env({ AGENT_MODULES: 'test/support/test-agents.ts' });
    apps = await AppProcess.startAll(['gateway', 'orchestrator', 'metrics'], env);
    api = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    await api.defineWorkflow('CLI_SIZES', [
      { id: 'first', agent: 'test-large' },
      { id: 'second', agent: 'test-large', dependsOn: ['first'] },
    ]);
    await api.defineWorkflow('CLI_WAIT', [{ id: 'wait', agent: 'test-wait' }]);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await namespace.dispose();
    await rm(configDir, { recursive: true, force: true });
  });

  it('replays from a step with an edited input, waits for it, and shows the diff', async () => {
    const original = await api.startWorkflow({ type: 'CLI_SIZES', input: { bytes: 10 }, sessionId: 'cli' });
    await finished(original);

    const started = await ao(['replay', original, 'second', '--input', '{"bytes":20}', '-o', 'json']);
    expect(started.code).toBe(0);
    const replay = JSON.parse(started.stdout) as ReplayWorkflowResponse;
    expect(replay).toMatchObject({
      replayOf: { workflowId: original, fromStep: 'second' },
      reusedSteps: ['first'],
    });
    expect((await finished(replay.workflowId)).result).toEqual({ second: { blob: 'x'.repeat(20) } });

    const waited = await ao(['replay', original, 'first', '--wait']);
    expect(waited.code).toBe(0);

    const diff = await ao(['diff', replay.workflowId, original, '-o', 'json']);
    expect(diff.code).toBe(0);
    expect((JSON.parse(diff.stdout) as WorkflowDiffResponse).changedSteps).toEqual(['second']);
    const table = await ao(['diff', replay.workflowId, original, '-o', 'plain']);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^STEP\s+OUTPUT\s+REUSED\s+MS\s+OTHER MS\s+TOKENS\s+OTHER TOKENS$/,
    );
    expect(table.stdout).toMatch(/\nfirst\s+same\s+yes\s+-\s+\d+/);
    expect(table.stdout).toMatch(/\nsecond\s+changed\s+\s*\d+/);

    const unknown = await ao(['replay', original, 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('fromStep must be a step of workflow');
  });

  it('cancels by filter and waits for the result', async () => {
    const ids = await Promise.all(
      [1, 2, 3].map(() => api.startWorkflow({ type: 'CLI_WAIT', input: {}, sessionId: 'cli' })),
    );
    await waitFor(async () => {
      const page = await api.json<{ items: unknown[] }>('/workflows?type=CLI_WAIT&status=RUNNING');
      return page.items.length === 3 ? true : undefined;
    }, 'three running workflows listed');
    const result = await ao([
      'bulk',
      'cancel',
      '--type',
      'CLI_WAIT',
      '--status',
      'RUNNING',
      '--wait',
      '-o',
      'json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout) as BulkActionProgress).toMatchObject({
      state: 'completed',
      total: 3,
      succeeded: 3,
    });
    for (const id of ids)
      expect((await api.json<WorkflowState>(`/workflows/${id}`)).status).toBe(WorkflowStatus.Cancelled);

    const refused = await ao(['bulk', 'replay', '--type', 'CLI_WAIT']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('fromStep is required to replay');
  });
});

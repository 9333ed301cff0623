import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { WorkflowPage, WorkflowState, WorkflowStatus } from '@app/contracts';
import { RedisClient } from '@app/redis';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { CliResult, cliCommandLine, cliEnvironment, runCli } from './support/cli-process';
import { executionsOf } from './support/test-agents';
import { TEST_ADMIN_KEY, connectTestRedis, TestNamespace, freePort } from './support/test-environment';
import { waitFor } from './support/wait-for';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');

/**
 * The `ao` CLI run as a separate process, as a person or a CI job runs it, against the gateway,
 * orchestrator and metrics as processes; its live view in a real pseudo-terminal (tmux).
 */
describe('the ao command-line client', () => {
  const namespace = new TestNamespace();
  let apps: Record<'gateway' | 'orchestrator' | 'metrics', AppProcess>;
  let appEnv: Record<string, string>;
  let api: ApiClient;
  let sitesDir: string;
  let configDir: string;
  let redis: RedisClient;

  /** AO_URL and AO_KEY of the admin key, and a profiles folder of this spec's own. */
  const env = (extra: Record<string, string> = {}) => ({
    AO_URL: apps.gateway.url,
    AO_KEY: TEST_ADMIN_KEY,
    AO_CONFIG_DIR: configDir,
    ...extra,
  });
  const ao = (args: string[], extra: Record<string, string> = {}, options?: { input?: string }) =>
    runCli(args, env(extra), options);
  const state = (workflowId: string) => api.json<WorkflowState>(`/workflows/${workflowId}`);
  const start = (type: string, input: Record<string, unknown> = {}) =>
    api.startWorkflow({ type, input, sessionId: 'cli-e2e' });
  /** What a failing command printed: one line on stderr, nothing on stdout. */
  const failure = (result: CliResult) => ({
    code: result.code,
    lines: result.stderr.trimEnd().split('\n').length,
    stdout: result.stdout,
  });

  beforeAll(async () => {
    await namespace.prepare();
    redis = connectTestRedis();
    sitesDir = await mkdtemp(join(tmpdir(), 'cli-e2e-sites-'));
    configDir = await mkdtemp(join(tmpdir(), 'cli-e2e-config-'));
    appEnv = namespace.env({ SITES_DIR: sitesDir, AGENT_MODULES: 'test/support/test-agents.ts' });
    const [gateway, orchestrator, metrics] = await AppProcess.startAll(
      ['gateway', 'orchestrator', 'metrics'],
      appEnv,
    );
    apps = { gateway, orchestrator, metrics };
    api = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    await api.defineWorkflow('CHAIN', [
      { id: 'a', agent: 'test-echo' },
      { id: 'b', agent: 'test-echo', dependsOn: ['a'] },
      { id: 'c', agent: 'test-echo', dependsOn: ['a'] },
      { id: 'd', agent: 'test-echo', dependsOn: ['b', 'c'] },
    ]);
    await api.defineWorkflow('REJECTED', [{ id: 'check', agent: 'test-invalid' }]);
    await api.defineWorkflow('GATED', [{ id: 'gate', agent: 'test-gate' }]);
    const approval = await api.post('/workflow-definitions', {
      type: 'APPROVAL',
      description: 'a person approves a step',
      steps: [
        { id: 'first', agent: 'test-echo', dependsOn: [] },
        { id: 'approve', approval: { onTimeout: 'fail' }, dependsOn: ['first'] },
      ],
    });
    expect(approval.status).toBe(201);
  });

  afterAll(async () => {
    await Promise.all(Object.values(apps ?? {}).map((app) => app.stop()));
    await redis?.quit();
    await namespace.dispose();
    await rm(sitesDir, { recursive: true, force: true });
    await rm(configDir, { recursive: true, force: true });
  });

  it('start --wait builds a site, exits 0 and prints the published site’s address', async () => {
    const result = await ao([
      'start',
      'CREATE_SITE',
      '--request',
      'Create a portfolio website for a wildlife photographer, dark theme',
      '--wait',
    ]);
    expect(result).toMatchObject({ code: 0 });
    const address = /site: (\S+)/.exec(result.stdout)?.[1];
    expect(address).toMatch(new RegExp(`^${apps.gateway.url}/sites/[^/]+/$`));
    const page = await fetch(address!);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
  });

  it('start --wait exits 1 for a workflow that fails, with its error on stderr', async () => {
    const result = await ao(['start', 'REJECTED', '--wait']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/FAILED: .*the request names no site/);
  });

  it('prints JSON that parses with -o json, and a JSON line per item with -o jsonl', async () => {
    const started = await ao(['start', 'CHAIN', '-o', 'json', '--wait']);
    expect(started.code).toBe(0);
    const finished = JSON.parse(started.stdout) as WorkflowState;
    expect(finished).toMatchObject({ type: 'CHAIN', status: WorkflowStatus.Completed });

    const got = JSON.parse((await ao(['get', finished.workflowId, '-o', 'json'])).stdout) as WorkflowState;
    expect(got.steps.map((step) => [step.stepId, step.lifecycle])).toEqual([
      ['a', 'COMPLETED'],
      ['b', 'COMPLETED'],
      ['c', 'COMPLETED'],
      ['d', 'COMPLETED'],
    ]);

    // Listed once the metrics service has projected it (a batch behind the store).
    await waitFor(async () => {
      const page = JSON.parse((await ao(['list', '--type', 'CHAIN', '-o', 'json'])).stdout) as WorkflowPage;
      return page.items.find(
        (item) => item.workflowId === finished.workflowId && item.status === 'COMPLETED',
      );
    }, 'the workflow listed by ao list');

    const lines = (await ao(['list', '--type', 'CHAIN', '-o', 'jsonl'])).stdout.trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { type: string }).type)).toEqual(
      lines.map(() => 'CHAIN'),
    );

    const started2 = JSON.parse((await ao(['start', 'CHAIN', '-o', 'json'])).stdout) as {
      workflowId: string;
    };
    expect(started2.workflowId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs -f streams every step’s lines and ends when the workflow ends', async () => {
    const workflowId = await start('CHAIN', { sleepMs: { a: 500, b: 500, c: 500, d: 500 } });
    const result = await ao(['logs', workflowId, '-f']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    for (const step of ['a', 'b', 'c', 'd']) {
      expect(lines.filter((line) => line.includes(`[${step}] echo ${step}`))).toHaveLength(1);
    }
    // It returned only once the workflow had ended.
    expect((await state(workflowId)).status).toBe(WorkflowStatus.Completed);
    const warnings = await ao(['logs', workflowId, '-f', '--level', 'warning']);
    expect(warnings.stdout).not.toMatch(/echo a/);
    // Without -f: the rows the metrics service has written to PostgreSQL (a moment after the events).
    const stored = await waitFor(async () => {
      const listed = await ao(['logs', workflowId]);
      return ['a', 'b', 'c', 'd'].every((step) => listed.stdout.includes(`echo ${step}`))
        ? listed
        : undefined;
    }, 'the log rows in PostgreSQL');
    expect(stored.code).toBe(0);
  });

  it('retry resumes a FAILED workflow and --wait exits 0 once it completes; retrying a COMPLETED one is a conflict', async () => {
    const failed = await ao(['start', 'GATED', '-o', 'json', '--wait']);
    expect(failed.code).toBe(1);
    const { workflowId, status } = JSON.parse(failed.stdout) as WorkflowState;
    expect(status).toBe(WorkflowStatus.Failed);
    await redis.set(`${namespace.redisPrefix}:test:gate:${workflowId}`, '1');
    const retried = await ao(['retry', workflowId, '--wait']);
    expect(retried).toMatchObject({ code: 0, stdout: `workflow ${workflowId} COMPLETED\n` });
    expect(failure(await ao(['retry', workflowId]))).toEqual({ code: 7, lines: 1, stdout: '' });
    // Its history holds the first run's failure: watch and logs -f end at the last run's end.
    expect((await ao(['watch', workflowId])).code).toBe(0);
    expect((await ao(['logs', workflowId, '-f'])).code).toBe(0);
  });

  it('watch without a terminal prints a plain line per step change, then how the workflow ended', async () => {
    const workflowId = await start('CHAIN', { sleepMs: { a: 300 } });
    const result = await ao(['watch', workflowId]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    for (const step of ['a', 'b', 'c', 'd']) {
      expect(lines.filter((line) => line.includes(`step ${step} COMPLETED`))).toHaveLength(1);
    }
    expect(lines.at(-1)).toBe(`workflow ${workflowId} COMPLETED`);
    expect(result.stdout).not.toContain('\u001b['); // no colours, no cursor movement
  });

  it('cancels a running workflow; a second cancel is a conflict (exit 7)', async () => {
    const workflowId = await start('CHAIN', { sleepMs: { a: 60_000 } });
    const cancelled = await ao(['cancel', workflowId]);
    expect(cancelled).toMatchObject({ code: 0, stdout: `workflow ${workflowId} CANCELLED\n` });
    expect((await state(workflowId)).status).toBe(WorkflowStatus.Cancelled);
    expect(failure(await ao(['cancel', workflowId]))).toEqual({ code: 7, lines: 1, stdout: '' });
    expect((await ao(['watch', workflowId])).code).toBe(1);
  });

  it('pauses, resumes, approves and rejects: each prints the new status; a second approval is a conflict (exit 7)', async () => {
    const approved = await start('APPROVAL');
    const rejected = await start('APPROVAL');
    const waiting = (workflowId: string) =>
      waitFor(async () => {
        const found = await state(workflowId);
        return found.status === WorkflowStatus.Waiting ? found : undefined;
      }, `workflow ${workflowId} to wait for approval`);
    await Promise.all([waiting(approved), waiting(rejected)]);
    expect(await ao(['pause', approved])).toMatchObject({ code: 0, stdout: `workflow ${approved} PAUSED\n` });
    expect(await ao(['resume', approved])).toMatchObject({
      code: 0,
      stdout: `workflow ${approved} WAITING\n`,
    });
    expect(failure(await ao(['approve', approved, 'approve', '--payload', '[1]']))).toEqual({
      code: 2,
      lines: 1,
      stdout: '',
    });
    const done = await ao([
      'approve',
      approved,
      'approve',
      '--payload',
      '{"plan":"ok"}',
      '--comment',
      'fine',
    ]);
    expect(done).toMatchObject({ code: 0, stdout: `workflow ${approved} COMPLETED\n` });
    expect((await state(approved)).result).toEqual({ approve: { plan: 'ok' } });
    expect(failure(await ao(['approve', approved, 'approve']))).toEqual({ code: 7, lines: 1, stdout: '' });
    const no = await ao(['reject', rejected, 'approve', '--comment', 'not now']);
    expect(no).toMatchObject({ code: 0, stdout: `workflow ${rejected} FAILED\n` });
    expect((await state(rejected)).error).toBe('approve: rejected by key bootstrap: not now');
  });

  describe('every mistake is one line on stderr and an exit code of its own', () => {
    it('no key: 3', async () => {
      const result = await runCli(['list'], { AO_URL: apps.gateway.url, AO_CONFIG_DIR: configDir });
      expect(failure(result)).toEqual({ code: 3, lines: 1, stdout: '' });
      expect(result.stderr).toMatch(/ao login/);
    });

    it('no gateway at the URL: 4', async () => {
      const result = await ao(['list'], { AO_URL: `http://127.0.0.1:${await freePort()}` });
      expect(failure(result)).toEqual({ code: 4, lines: 1, stdout: '' });
      expect(result.stderr).toMatch(/cannot reach the gateway/);
    });

    it('not a URL, a bad filter, a wrong option: 2', async () => {
      expect(failure(await ao(['list'], { AO_URL: 'gateway:3000' }))).toEqual({
        code: 2,
        lines: 1,
        stdout: '',
      });
      const badStatus = await ao(['list', '--status', 'DONE']);
      expect(failure(badStatus)).toEqual({ code: 2, lines: 1, stdout: '' });
      expect(badStatus.stderr).toMatch(/unknown status "DONE"/);
      expect(failure(await ao(['list', '--limit', '1000']))).toEqual({ code: 2, lines: 1, stdout: '' });
      expect(failure(await ao(['list', '--bogus']))).toEqual({ code: 2, lines: 1, stdout: '' });
      expect(failure(await ao(['start', 'CHAIN', '--input', '{not json']))).toEqual({
        code: 2,
        lines: 1,
        stdout: '',
      });
    });

    it('a refused key: 5; an admin command with a client key: 5', async () => {
      expect(failure(await ao(['list'], { AO_KEY: 'not-a-key-0123456789' }))).toEqual({
        code: 5,
        lines: 1,
        stdout: '',
      });
      const created = await ao(['keys', 'create', '--tenant', 'acme', '--role', 'client']);
      expect(created.code).toBe(0);
      const clientKey = created.stdout.trim();
      expect(failure(await ao(['queues'], { AO_KEY: clientKey }))).toEqual({ code: 5, lines: 1, stdout: '' });
      expect((await ao(['list'], { AO_KEY: clientKey })).code).toBe(0);
    });

    it('an unknown workflow id: 6, a UUID or not', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      for (const args of [
        ['get', unknown],
        ['watch', unknown],
        ['logs', unknown, '-f'],
        ['cancel', 'nope'],
      ]) {
        expect([args, failure(await ao(args))]).toEqual([args, { code: 6, lines: 1, stdout: '' }]);
      }
    });
  });

  it('lists agents, workers, queues and keys for an admin', async () => {
    const agents = await ao(['agents']);
    expect(agents.code).toBe(0);
    expect(agents.stdout).toMatch(/^NAME\s+VERSION\s+WORKERS/);
    expect(agents.stdout).toMatch(/^test-echo\s+1\.0\.0\s+1\s/m);
    expect((await ao(['workers'])).stdout).toMatch(/^NAME\s+WORKER\s+STATUS\s+HOST/);
    const workers = JSON.parse((await ao(['workers', '-o', 'json'])).stdout) as { status: string }[];
    expect(workers.map((worker) => worker.status)).toContain('alive');
    const queues = await ao(['queues']);
    expect(queues.code).toBe(0);
    expect(queues.stdout.split('\n')[0]).toMatch(/^QUEUE\s+PAUSED\s+WAITING\s+ACTIVE.*\sPARTITIONS$/);
    expect(queues.stdout).toMatch(/^steps\.test-echo@1\s.*\s1$/m);
    const created = JSON.parse(
      (await ao(['keys', 'create', '--tenant', 'ops', '--role', 'admin', '-o', 'json'])).stdout,
    ) as { id: string; key: string };
    const keys = await ao(['keys']);
    expect(keys.stdout.split('\n')[0]).toMatch(/^ID\s+TENANT\s+ROLE\s+STATE\s+NAME$/);
    expect(keys.stdout).toMatch(new RegExp(`^${created.id}\\s+ops\\s+admin\\s+active\\s`, 'm'));
    expect(await ao(['keys', 'revoke', created.id])).toMatchObject({
      code: 0,
      stdout: `revoked ${created.id}\n`,
    });
    expect((await ao(['keys', '--tenant', 'ops'])).stdout).toMatch(
      new RegExp(`^${created.id}\\s+ops\\s+admin\\s+revoked`, 'm'),
    );
  });

  it('login checks the key and saves it in a 0600 profile that later commands use', async () => {
    const loginDir = await mkdtemp(join(tmpdir(), 'cli-e2e-login-'));
    try {
      const refused = await runCli(
        ['login', '--url', apps.gateway.url],
        { AO_CONFIG_DIR: loginDir },
        {
          input: 'wrong-key-0123456789\n',
        },
      );
      expect(refused.code).toBe(5);
      await expect(stat(join(loginDir, 'profiles.json'))).rejects.toThrow();

      const loggedIn = await runCli(
        ['login', '--url', apps.gateway.url, '--tenant', 'default'],
        { AO_CONFIG_DIR: loginDir },
        {
          input: `${TEST_ADMIN_KEY}\n`,
        },
      );
      expect(loggedIn.code).toBe(0);
      expect((await stat(join(loginDir, 'profiles.json'))).mode & 0o777).toBe(0o600);
      const listed = await runCli(['list', '-o', 'json'], { AO_CONFIG_DIR: loginDir });
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toHaveProperty('items');
    } finally {
      await rm(loginDir, { recursive: true, force: true });
    }
  });

  describe('watch in a pseudo-terminal (tmux)', () => {
    const socket = `ao-e2e-${process.pid}`;
    const tmux = (...args: string[]) => run('tmux', ['-L', socket, ...args]);
    const screen = async () => (await tmux('capture-pane', '-p', '-t', 'watch')).stdout;
    /**
     * Runs `ao watch` in a 120×40 terminal, from a script that shows its exit code and keeps the
     * pane open after it. The script's shell traps SIGINT, so that Ctrl-C reaches only the CLI.
     */
    const watchInTerminal = async (workflowId: string) => {
      const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
      const environment = Object.entries(cliEnvironment(env({ TERM: 'xterm-256color' }))).map(
        ([name, value]) => `${name}=${value}`,
      );
      const command = ['env', '-i', ...environment, ...cliCommandLine(['watch', workflowId])].map(quote);
      const script = join(configDir, `watch-${workflowId}.sh`);
      await writeFile(
        script,
        `trap 'true' INT\ncd ${quote(ROOT)}\n${command.join(' ')}\necho "exit=$?"\nsleep 600\n`,
      );
      await tmux('new-session', '-d', '-s', 'watch', '-x', '120', '-y', '40', `bash ${quote(script)}`);
    };
    /** Waits for the pane to pass `test`; a timeout shows the pane as it was, to tell why. */
    const screenShowing = async (test: (text: string) => boolean, what: string, timeoutMs = 90_000) => {
      let text = '';
      try {
        return await waitFor(
          async () => {
            text = await screen();
            return test(text) ? text : undefined;
          },
          what,
          timeoutMs,
        );
      } catch (error) {
        throw new Error(`${(error as Error).message}; the pane showed:\n${text}`);
      }
    };
    /** The row of a step in the live graph: its id (indented by depth), agent and lifecycle. */
    const stepRow = (text: string, stepId: string) =>
      text.split('\n').find((line) => new RegExp(`^\\s*${stepId}\\s+test-echo\\s`).test(line)) ?? '';

    afterEach(async () => {
      await tmux('kill-server').catch(() => undefined);
    });

    it('shows every step reaching COMPLETED, and catches up after the gateway restarts mid-run', async () => {
      const workflowId = await start('CHAIN', { sleepMs: { a: 1_000, b: 3_000, c: 3_000, d: 1_000 } });
      await watchInTerminal(workflowId);
      await screenShowing((text) => /COMPLETED/.test(stepRow(text, 'a')), 'step a COMPLETED on screen');

      const port = String(apps.gateway.port);
      await apps.gateway.stop();
      await screenShowing((text) => /reconnecting/.test(text), 'the view saying it reconnects');
      // Steps finish while no gateway runs: the view can only learn of them by catching up.
      await waitFor(
        async () =>
          (await executionsOf(redis, namespace.redisPrefix, workflowId, 'b')).length > 0 ? true : undefined,
        'step b to finish while the gateway is down',
      );
      apps.gateway = await AppProcess.start('gateway', { ...appEnv, PORT: port });

      const final = await screenShowing((text) => /exit=\d+/.test(text), 'the watch to end', 120_000);
      for (const step of ['a', 'b', 'c', 'd']) {
        expect([step, stepRow(final, step)]).toEqual([step, expect.stringMatching(/\sCOMPLETED\s/)]);
      }
      expect(final).toContain(`workflow ${workflowId} COMPLETED`);
      expect(final).toContain('exit=0');
      expect(final).not.toContain('reconnecting');
      expect((await state(workflowId)).status).toBe(WorkflowStatus.Completed);
    });

    it('Ctrl-C stops watching, says the workflow goes on, and leaves it running', async () => {
      const workflowId = await start('CHAIN', { sleepMs: { a: 60_000 } });
      await watchInTerminal(workflowId);
      await screenShowing((text) => /EXECUTING/.test(stepRow(text, 'a')), 'step a EXECUTING on screen');
      await tmux('send-keys', '-t', 'watch', 'C-c');
      const final = await screenShowing((text) => /exit=\d+/.test(text), 'the watch to end');
      expect(final).toMatch(new RegExp(`stopped watching; workflow ${workflowId} is RUNNING and goes on`));
      expect(final).toContain('exit=130');
      expect((await state(workflowId)).status).toBe(WorkflowStatus.Running);
      await api.post(`/workflows/${workflowId}/cancel`);
    });
  });
});

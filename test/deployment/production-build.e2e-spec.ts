import { WorkflowEventType, WorkflowPage, WorkflowState, WorkflowStatus } from '@app/contracts';
import { ApiClient } from '../support/api-client';
import { AppProcess } from '../support/app-process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { TEST_ADMIN_KEY, TEST_DATABASE_URL, TestNamespace } from '../support/test-environment';
import { waitFor } from '../support/wait-for';
import { WorkflowClient } from '../support/workflow-client';
import { APP_NAMES, AppName, REPO_ROOT } from './deployment-files';
import {
  startBuiltApp,
  dockerRecipe,
  installProductionDependencies,
  reachableNodeModules,
  run,
  runBuiltAoCli,
  runBuiltKeysCli,
  stageBuildContext,
  unexpectedPackages,
} from './production-build';

/**
 * Each app as its image runs it: built by `npm run build` from the files the Dockerfile's build
 * stage copies, then started with `node dist/apps/<name>/main.js` in a folder outside the
 * repository that holds only that output and the production dependencies the runtime stage
 * installs (its own `npm ci` flags), against the machine's Redis and PostgreSQL.
 */

/** Packages that only building or testing needs; none may reach the runtime folder. */
const DEV_ONLY = [
  'jest',
  'ts-jest',
  'typescript',
  'ts-node',
  'ts-loader',
  '@nestjs/cli',
  'webpack',
  'eslint',
  'prettier',
];
/** The connections each app's `/health` checks. */
const HEALTH_CHECKS: Record<AppName, string[]> = {
  gateway: ['redis', 'postgres'],
  orchestrator: ['redis'],
  metrics: ['redis', 'postgres'],
};
const SETUP_TIMEOUT_MS = 480_000;
/** An agent module as a user writes one: plain CommonJS, needing nothing from this repository. */
const OUTSIDE_ECHO_MODULE = `exports.createAgents = () => [
  {
    descriptor: { name: 'outside-echo', version: '1.0.0', description: 'returns its input' },
    execute: async (ctx) => ({ echoed: ctx.input }),
  },
];
`;

describe('the production build (docker/Dockerfile, without a container engine)', () => {
  const recipe = dockerRecipe();
  let root: string;
  let buildDir: string;
  let runtimeDir: string;
  let lockFallback: string | undefined;
  let namespace: TestNamespace;
  const started: AppProcess[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ao-production-build-'));
    buildDir = join(root, 'build');
    runtimeDir = join(root, 'runtime');
    mkdirSync(runtimeDir);
    stageBuildContext(buildDir, recipe.buildContext);
    // The bundles (CPU) and the install (mostly network and disk) side by side.
    // Both run to their end before a failure is reported, so that none writes into a removed folder.
    const [build, install] = await Promise.allSettled([
      run('npm', ['run', 'build'], buildDir),
      installProductionDependencies(runtimeDir, recipe.productionInstall),
    ]);
    if (build.status === 'rejected') throw build.reason;
    if (install.status === 'rejected') throw install.reason;
    lockFallback = install.value;
    // The three apps, and the ao CLI that the gateway image ships beside its bundle.
    for (const name of [...APP_NAMES, 'cli'])
      cpSync(join(buildDir, 'dist', 'apps', name), join(runtimeDir, 'dist', 'apps', name), {
        recursive: true,
      });
    namespace = await new TestNamespace().prepare();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(started.map((app) => app.stop()));
    await namespace?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('builds one bundle per app, dist/apps/<name>/main.js', () => {
    for (const name of APP_NAMES)
      expect(existsSync(join(buildDir, 'dist', 'apps', name, 'main.js'))).toBe(true);
  });

  it('installs production dependencies only, at the versions package-lock.json pins', () => {
    if (lockFallback)
      console.warn(
        `npm ci refused package-lock.json as out of sync with package.json, so the same flags went to npm install:\n${lockFallback}`,
      );
    expect(recipe.productionInstall).toContain('--omit=dev');
    const present = DEV_ONLY.filter((name) => existsSync(join(runtimeDir, 'node_modules', name)));
    expect(present).toEqual([]);
    expect(unexpectedPackages(runtimeDir)).toEqual([]);
  });

  it('leaves the apps no node_modules but the runtime folder’s own (none of the repository’s)', () => {
    expect(runtimeDir.startsWith(REPO_ROOT)).toBe(false);
    for (const name of APP_NAMES)
      expect(reachableNodeModules(join(runtimeDir, 'dist', 'apps', name))).toEqual([
        join(runtimeDir, 'node_modules'),
      ]);
    expect(readdirSync(runtimeDir).sort()).toEqual([
      'dist',
      'node_modules',
      'package-lock.json',
      'package.json',
    ]);
  });

  it('runs `node dist/apps/metrics/main.js migrate` (the migration Job) on an empty schema, and exits 0', async () => {
    const fresh = new TestNamespace(); // no prepare(): the schema does not exist yet
    try {
      const migrate = await startBuiltApp(runtimeDir, 'metrics', fresh.env({ RUN_MIGRATIONS: 'false' }), [
        'migrate',
      ]);
      started.push(migrate);
      const ending = await migrate.exited(60_000);
      if (ending.code !== 0)
        throw new Error(`migrate ended with ${JSON.stringify(ending)}:\n${migrate.logs}`);
      expect(migrate.logs).toMatch(/migrations applied: \w+/);
      const tables = await fresh.query<{ count: string }>(
        'SELECT count(*) FROM information_schema.tables WHERE table_schema = $1',
        [fresh.schema],
      );
      expect(Number(tables[0].count)).toBeGreaterThan(0);
    } finally {
      await fresh.dispose();
    }
  });

  describe('the keys CLI, `node dist/apps/gateway/cli.js` (shipped in the gateway image)', () => {
    /** The CLI's whole environment: the database and nothing else (no REDIS_URL). */
    const databaseOnly = (schema: string) => ({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema });

    it('says the database is not migrated when asked to list keys in an unmigrated schema, and leaves the schema alone', async () => {
      const fresh = new TestNamespace(); // no prepare(): the schema does not exist
      try {
        const listed = await runBuiltKeysCli(runtimeDir, ['list'], databaseOnly(fresh.schema));
        expect(listed.code).toBe(1);
        expect(listed.stderr).toMatch(
          new RegExp(`not migrated: schema "${fresh.schema}" has no api_keys table`),
        );
        const schemas = await fresh.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [fresh.schema]);
        expect(schemas).toEqual([]);
      } finally {
        await fresh.dispose();
      }
    });

    it('creates a key in an unmigrated schema (migrating it first), lists it and revokes it, without REDIS_URL', async () => {
      const fresh = new TestNamespace();
      const env = databaseOnly(fresh.schema);
      try {
        const created = await runBuiltKeysCli(
          runtimeDir,
          ['create', '--tenant', 'acme', '--role', 'admin', '--name', 'ops team'],
          env,
        );
        expect(created).toMatchObject({ code: 0, stderr: '' });
        const [, id] = /^created admin key (\S+) for tenant acme;/.exec(created.stdout) ?? [];
        expect(id).toBeDefined();
        expect(created.stdout.trim().split('\n').pop()).toMatch(new RegExp(`^ao_${id}_\\S+$`));

        const listed = await runBuiltKeysCli(runtimeDir, ['list', '--tenant', 'acme'], env);
        expect(listed).toMatchObject({ code: 0, stderr: '' });
        expect(listed.stdout).toBe(`${id}  acme  admin  active  ops team\n`);

        const revoked = await runBuiltKeysCli(runtimeDir, ['revoke', id], env);
        expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${id}\n` });
        const relisted = await runBuiltKeysCli(runtimeDir, ['list'], env);
        expect(relisted.stdout).toMatch(new RegExp(`^${id}  acme  admin  revoked \\S+  ops team\n$`));
      } finally {
        await fresh.dispose();
      }
    });

    it('names the variable it misses, DATABASE_URL, and asks for nothing else', async () => {
      const listed = await runBuiltKeysCli(runtimeDir, ['list'], {});
      expect(listed.code).toBe(1);
      expect(listed.stderr).toBe('Invalid environment: DATABASE_URL (not set) must be a postgres:// URL\n');
    });
  });

  it('runs the ao CLI bundle, `node dist/apps/cli/main.js`, on the production dependencies against the built gateway', async () => {
    const gateway = await startBuiltApp(
      runtimeDir,
      'gateway',
      namespace.env({ SITES_DIR: join(root, 'sites') }),
    );
    started.push(gateway);
    await gateway.waitUntilHealthy(60_000);
    const env = { AO_URL: gateway.url, AO_KEY: TEST_ADMIN_KEY, AO_CONFIG_DIR: join(root, 'ao') };
    const ao = (args: string[]) => runBuiltAoCli(runtimeDir, args, env);

    const startedWorkflow = await ao(['start', 'CREATE_SITE', '--request', 'A bakery in Lyon', '-o', 'json']);
    expect(startedWorkflow).toMatchObject({ code: 0, stderr: '' });
    const { workflowId } = JSON.parse(startedWorkflow.stdout) as { workflowId: string };
    // Listed once the built metrics service has projected it into PostgreSQL.
    const metrics = await startBuiltApp(runtimeDir, 'metrics', namespace.env());
    started.push(metrics);
    await waitFor(async () => {
      const listed = JSON.parse((await ao(['list', '-o', 'json'])).stdout) as WorkflowPage;
      return listed.items.find((item) => item.workflowId === workflowId);
    }, 'the workflow listed by ao list');
    expect(await ao(['cancel', workflowId])).toMatchObject({
      code: 0,
      stdout: `workflow ${workflowId} CANCELLED\n`,
    });
    // Over Socket.IO: the events so far, ending with the cancellation; not COMPLETED, so exit 1.
    const watched = await ao(['watch', workflowId, '-o', 'jsonl']);
    expect(watched.code).toBe(1);
    const events = watched.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; status?: string });
    expect(events.at(-1)).toMatchObject({ type: 'complete', status: 'CANCELLED' });
    await gateway.stop();
  });

  it('serves from the gateway bundle the same OpenAPI and AsyncAPI documents as the gateway run from its sources', async () => {
    const env = namespace.env({ SITES_DIR: join(root, 'sites') });
    const [built, fromSources] = await Promise.all([
      startBuiltApp(runtimeDir, 'gateway', env),
      AppProcess.start('gateway', env),
    ]);
    started.push(built, fromSources);
    await built.waitUntilHealthy(60_000);
    const documents = (app: AppProcess) =>
      Promise.all(
        ['/docs-json', '/docs/asyncapi.json'].map(async (path) => {
          const response = await fetch(`${app.url}${path}`);
          expect(response.status).toBe(200);
          return response.json();
        }),
      );
    const [builtOpenApi, builtAsyncApi] = await documents(built);
    expect(Object.keys((builtOpenApi as { paths: object }).paths).length).toBeGreaterThan(20);
    expect(await documents(fromSources)).toEqual([builtOpenApi, builtAsyncApi]);
    await Promise.all([built.stop(), fromSources.stop()]);
  });

  describe('AGENT_MODULES, a module outside the repository and the bundle', () => {
    let agentsDir: string;
    let agentModule: string;

    beforeAll(() => {
      agentsDir = mkdtempSync(join(tmpdir(), 'ao-agent-module-'));
      agentModule = join(agentsDir, 'outside-echo.js');
      writeFileSync(agentModule, OUTSIDE_ECHO_MODULE);
    });

    afterAll(() => {
      if (agentsDir) rmSync(agentsDir, { recursive: true, force: true });
    });

    it('runs a workflow step on the module’s agent in the production orchestrator, started through the production gateway', async () => {
      expect(agentsDir.startsWith(REPO_ROOT)).toBe(false);
      const env = namespace.env({ SITES_DIR: join(root, 'sites'), AGENT_MODULES: agentModule });
      const apps = await Promise.all([
        startBuiltApp(runtimeDir, 'orchestrator', env),
        startBuiltApp(runtimeDir, 'gateway', env),
      ]);
      started.push(...apps);
      // The orchestrator publishes its agents before it listens, so the gateway knows outside-echo.
      await Promise.all(apps.map((app) => app.waitUntilHealthy(60_000)));
      const [, gateway] = apps;
      const api = new ApiClient(gateway.url, TEST_ADMIN_KEY);
      const client = new WorkflowClient(gateway.url);
      try {
        await client.connected();
        await api.defineWorkflow('OUTSIDE_ECHO', [{ id: 'echo', agent: 'outside-echo' }]);
        const input = { greeting: 'hello from outside' };
        const workflowId = await api.startWorkflow({ type: 'OUTSIDE_ECHO', input, sessionId: 'outside' });
        await client.socket.emitWithAck('workflow.subscribe', { workflowId });

        expect(await client.finished(workflowId)).toMatchObject({
          type: WorkflowEventType.Complete,
          status: WorkflowStatus.Completed,
          result: { echo: { echoed: input } },
        });
        expect(await api.json<WorkflowState>(`/workflows/${workflowId}`)).toMatchObject({
          status: WorkflowStatus.Completed,
          result: { echo: { echoed: input } },
        });
      } finally {
        client.close();
      }
      await Promise.all(apps.map((app) => app.stop()));
    });

    it.each(['an absolute', 'a relative'])(
      'stops the production orchestrator at start, exit code 1, naming the path, when %s path in it leads to no module',
      async (kind) => {
        const missing = join(agentsDir, 'not-there.js');
        const path = kind === 'an absolute' ? missing : relative(runtimeDir, missing);
        const whence = path === missing ? '' : ` ("${path}" taken from the working directory, ${runtimeDir})`;
        const orchestrator = await startBuiltApp(
          runtimeDir,
          'orchestrator',
          namespace.env({ AGENT_MODULES: path }),
        );
        started.push(orchestrator);

        expect(await orchestrator.exited(60_000)).toEqual({ code: 1, signal: null, isKilled: false });
        expect(orchestrator.logs).toContain(`Error: AGENT_MODULES: no module at ${missing}${whence}\n`);
      },
    );
  });

  describe.each(APP_NAMES)('%s', (name) => {
    it('starts from its bundle with NODE_ENV=production, answers /health with its connections up, and stops cleanly on SIGTERM', async () => {
      const app = await startBuiltApp(runtimeDir, name, namespace.env({ SITES_DIR: join(root, 'sites') }));
      started.push(app);
      const health = await app.waitUntilHealthy(60_000);
      expect(health.status).toBe('ok');
      for (const check of HEALTH_CHECKS[name]) expect(health.details[check]?.status).toBe('up');
      expect((await fetch(`${app.url}/health/live`)).status).toBe(200);

      const ending = await app.stop();
      // Nest's shutdown hooks close everything, then re-raise the signal: ended by SIGTERM (or exit 0), not by our SIGKILL.
      expect(ending.isKilled).toBe(false);
      expect(ending.code === 0 || (ending.code === null && ending.signal === 'SIGTERM')).toBe(true);
      // Nothing at pino's error level (50) or above on the way in or out.
      expect(app.logs.split('\n').filter((line) => /"level":\s*(50|60)\b/.test(line))).toEqual([]);
    });
  });
});

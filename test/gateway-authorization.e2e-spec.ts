import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreatedApiKey, WorkflowState, WorkflowStatus } from '@app/contracts';
import { io } from 'socket.io-client';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { TEST_ADMIN_KEY, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';

/** The callers of every cell: the columns of the matrix. */
const CALLERS = [
  'no key',
  'revoked key',
  'client of another tenant',
  'client of the tenant',
  'admin',
] as const;
type CallerKind = (typeof CALLERS)[number];

/** Who may call a route. */
type Access = 'public' | 'any key' | 'tenant' | 'admin';

/**
 * What a permitted call answers: an exact status, or `allowed` (any answer that is neither
 * 401/403 nor a 5xx) for routes whose fixtures this spec does not build.
 */
type Outcome = number | 'allowed';

interface RouteRow {
  method: string;
  /** As the OpenAPI document names it, e.g. `/workflows/{id}/cancel`. */
  route: string;
  access: Access;
  ok: Outcome;
  /** Builds the call for one cell (fresh resources for routes that change something). */
  call?: (caller: CallerKind) => Promise<{ path: string; body?: unknown }>;
}

const RATE_LIMIT = 300;

describe('gateway authorization: every route and Socket.IO event × every kind of caller', () => {
  const namespace = new TestNamespace();
  let sitesDir: string;
  let apps: AppProcess[] = [];
  let admin: ApiClient;
  let keys: Record<CallerKind, string | null>;
  let completedWorkflowId: string;
  let documentedRoutes: { method: string; route: string }[];

  const api = (caller: CallerKind) => admin.as(keys[caller]);
  const createKey = async (tenantId: string, role: 'admin' | 'client'): Promise<CreatedApiKey> => {
    const response = await admin.post('/admin/keys', { tenantId, role, name: `${role} of ${tenantId}` });
    expect(response.status).toBe(201);
    return (await response.json()) as CreatedApiKey;
  };
  let bulkActionJobId: Promise<string> | undefined;
  /** A bulk action started once by the tenant's client key. */
  const tenantBulkAction = () =>
    (bulkActionJobId ??= api('client of the tenant')
      .post('/workflows/bulk', { action: 'cancel', ids: [randomUUID()] })
      .then(async (response) => ((await response.json()) as { jobId: string }).jobId));
  /** A workflow of tenant `acme` that runs until cancelled. */
  const waitingWorkflow = () =>
    api('client of the tenant').startWorkflow({ type: 'TEST_WAIT', input: {}, sessionId: 's' });
  const definition = (type: string) => ({
    type,
    description: 'one step',
    steps: [{ id: 'only', agent: 'test-echo', dependsOn: [] }],
  });

  beforeAll(async () => {
    await namespace.prepare();
    sitesDir = await mkdtemp(join(tmpdir(), 'sites-'));
    const env = namespace.env({
      SITES_DIR: sitesDir,
      AGENT_MODULES: 'test/support/test-agents.ts',
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    });
    apps = await Promise.all([
      AppProcess.start('gateway', env),
      AppProcess.start('orchestrator', env),
      AppProcess.start('metrics', env),
    ]);
    admin = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    const revoked = await createKey('acme', 'client');
    expect((await admin.request('DELETE', `/admin/keys/${revoked.id}`)).status).toBe(204);
    keys = {
      'no key': null,
      'revoked key': revoked.key,
      'client of another tenant': (await createKey('globex', 'client')).key,
      'client of the tenant': (await createKey('acme', 'client')).key,
      admin: (await createKey('ops', 'admin')).key,
    };
    for (const [type, agent] of [
      ['TEST_ONE', 'test-echo'],
      ['TEST_WAIT', 'test-wait'],
    ]) {
      const response = await admin.post('/workflow-definitions', {
        ...definition(type),
        steps: [{ id: 'only', agent, dependsOn: [] }],
      });
      expect(response.status).toBe(201);
    }
    completedWorkflowId = await api('client of the tenant').startWorkflow({
      type: 'TEST_ONE',
      input: {},
      sessionId: 's',
    });
    await waitFor(async () => {
      const state = await admin.json<WorkflowState>(`/workflows/${completedWorkflowId}`);
      return state.status === WorkflowStatus.Completed ? state : undefined;
    }, 'the fixture workflow to complete');
    const document = await (await fetch(`${apps[0].url}/docs-json`)).json();
    documentedRoutes = Object.entries((document as { paths: Record<string, object> }).paths).flatMap(
      ([route, operations]) =>
        Object.keys(operations).map((method) => ({ method: method.toUpperCase(), route })),
    );
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await namespace.dispose();
    await rm(sitesDir, { recursive: true, force: true });
  });

  /** The routes this spec knows in detail; any other documented route falls under `defaultRow`. */
  const ROUTES: RouteRow[] = [
    { method: 'GET', route: '/health', access: 'public', ok: 200 },
    { method: 'GET', route: '/health/ready', access: 'public', ok: 200 },
    { method: 'GET', route: '/health/live', access: 'public', ok: 200 },
    // Public for the scraper, which holds no key; deployments move it to METRICS_PORT, which no
    // Service or Ingress exposes (test/prometheus.e2e-spec.ts checks it then 404s here).
    { method: 'GET', route: '/metrics', access: 'public', ok: 200 },
    { method: 'GET', route: '/workflows', access: 'any key', ok: 200 },
    {
      method: 'POST',
      route: '/workflows',
      access: 'any key',
      ok: 202,
      call: async () => ({ path: '/workflows', body: { type: 'TEST_ONE', input: {}, sessionId: 's' } }),
    },
    ...['', '/logs', '/events?after=0', '/outputs/only'].map((suffix): RouteRow => ({
      method: 'GET',
      route: `/workflows/{id}${suffix.replace('?after=0', '').replace('/only', '/{stepId}')}`,
      access: 'tenant',
      ok: 200,
      call: async () => ({ path: `/workflows/${completedWorkflowId}${suffix}` }),
    })),
    {
      method: 'POST',
      route: '/workflows/{id}/cancel',
      access: 'tenant',
      ok: 200,
      call: async () => ({ path: `/workflows/${await waitingWorkflow()}/cancel` }),
    },
    {
      method: 'POST',
      route: '/workflows/{id}/replay',
      access: 'tenant',
      ok: 202,
      call: async () => ({ path: `/workflows/${completedWorkflowId}/replay`, body: { fromStep: 'only' } }),
    },
    {
      method: 'GET',
      route: '/workflows/{id}/diff/{otherId}',
      access: 'tenant',
      ok: 200,
      call: async () => ({ path: `/workflows/${completedWorkflowId}/diff/${completedWorkflowId}` }),
    },
    {
      method: 'POST',
      route: '/workflows/bulk',
      access: 'any key',
      ok: 202,
      call: async () => ({ path: '/workflows/bulk', body: { action: 'cancel', ids: [randomUUID()] } }),
    },
    // A bulk action the tenant's client started: its admin and its tenant may read it.
    {
      method: 'GET',
      route: '/workflows/bulk/{jobId}',
      access: 'tenant',
      ok: 200,
      call: async () => ({ path: `/workflows/bulk/${await tenantBulkAction()}` }),
    },
    // A completed workflow cannot be retried: 409 once the caller may see it.
    {
      method: 'POST',
      route: '/workflows/{id}/retry',
      access: 'tenant',
      ok: 409,
      call: async () => ({ path: `/workflows/${completedWorkflowId}/retry` }),
    },
    // The completed workflow has no approval step and is not running: 409 once the caller may see it.
    ...['approve', 'reject'].map((decision): RouteRow => ({
      method: 'POST',
      route: `/workflows/{id}/steps/{stepId}/${decision}`,
      access: 'tenant',
      ok: 409,
      call: async () => ({ path: `/workflows/${completedWorkflowId}/steps/only/${decision}`, body: {} }),
    })),
    ...['pause', 'resume'].map((action): RouteRow => ({
      method: 'POST',
      route: `/workflows/{id}/${action}`,
      access: 'tenant',
      ok: 409,
      call: async () => ({ path: `/workflows/${completedWorkflowId}/${action}` }),
    })),
    { method: 'GET', route: '/workflow-definitions', access: 'any key', ok: 200 },
    {
      method: 'GET',
      route: '/workflow-definitions/{type}',
      access: 'any key',
      ok: 200,
      call: async () => ({ path: '/workflow-definitions/TEST_ONE' }),
    },
    {
      method: 'POST',
      route: '/workflow-definitions',
      access: 'admin',
      ok: 201,
      call: async () => ({ path: '/workflow-definitions', body: definition(uniqueType()) }),
    },
    {
      method: 'DELETE',
      route: '/workflow-definitions/{type}',
      access: 'admin',
      ok: 204,
      call: async () => {
        const type = uniqueType();
        expect((await admin.post('/workflow-definitions', definition(type))).status).toBe(201);
        return { path: `/workflow-definitions/${type}` };
      },
    },
    { method: 'GET', route: '/admin/keys', access: 'admin', ok: 200 },
    {
      method: 'POST',
      route: '/admin/keys',
      access: 'admin',
      ok: 201,
      call: async () => ({ path: '/admin/keys', body: { tenantId: 'acme', role: 'client', name: 'matrix' } }),
    },
    {
      method: 'DELETE',
      route: '/admin/keys/{id}',
      access: 'admin',
      ok: 204,
      call: async () => ({ path: `/admin/keys/${(await createKey('acme', 'client')).id}` }),
    },
    { method: 'GET', route: '/admin/queues', access: 'admin', ok: 200 },
    ...['pause', 'resume'].map((action): RouteRow => ({
      method: 'POST',
      route: `/admin/queues/{name}/${action}`,
      access: 'admin',
      ok: 200,
      call: async () => ({ path: `/admin/queues/metrics.agent-executions/${action}` }),
    })),
    { method: 'GET', route: '/auth/me', access: 'any key', ok: 200 },
    { method: 'GET', route: '/sites', access: 'any key', ok: 200 },
    // No site is published here: an admin gets as far as 404.
    {
      method: 'POST',
      route: '/sites/{siteId}/rollback',
      access: 'admin',
      ok: 404,
      call: async () => ({ path: '/sites/nope-000000/rollback', body: { version: 1 } }),
    },
    { method: 'GET', route: '/sites/{siteId}/{path}', access: 'public', ok: 'allowed' },
  ];

  /** Routes added by other features: admin routes need the admin role, every other route a key. */
  const defaultRow = (method: string, route: string): RouteRow => ({
    method,
    route,
    access: route.startsWith('/admin/') ? 'admin' : 'any key',
    ok: 'allowed',
  });

  function expected(row: RouteRow, caller: CallerKind): Outcome {
    if (row.access === 'public') return row.ok;
    if (caller === 'no key' || caller === 'revoked key') return 401;
    if (caller === 'admin') return row.ok;
    if (row.access === 'admin') return 403;
    // Another tenant's workflow is answered as missing, so its existence is not revealed.
    if (row.access === 'tenant' && caller === 'client of another tenant') return 404;
    return row.ok;
  }

  it('every documented route has a row, and every row is a documented route', () => {
    const known = new Set(ROUTES.map((row) => `${row.method} ${row.route}`));
    expect(documentedRoutes.length).toBeGreaterThan(20);
    for (const row of ROUTES) {
      expect(documentedRoutes.map(({ method, route }) => `${method} ${route}`)).toContain(
        `${row.method} ${row.route}`,
      );
    }
    const unknown = documentedRoutes.filter(({ method, route }) => !known.has(`${method} ${route}`));
    // Listed so a reader sees which routes only get the default expectations.
    expect(unknown.every(({ route }) => !route.startsWith('/workflows'))).toBe(true);
  });

  it('answers each cell of the REST matrix as the table says', async () => {
    const rows = [
      ...ROUTES,
      ...documentedRoutes
        .filter(({ method, route }) => !ROUTES.some((row) => row.method === method && row.route === route))
        .map(({ method, route }) => defaultRow(method, route)),
    ];
    const mismatches: string[] = [];
    for (const row of rows) {
      for (const caller of CALLERS) {
        const { path, body } = row.call
          ? await row.call(caller)
          : { path: row.route.replace(/\{[^}]+\}/g, randomUUID()), body: undefined };
        const response = await api(caller).request(row.method, path, body);
        const want = expected(row, caller);
        const text = await response.text();
        const isMatch =
          want === 'allowed'
            ? ![401, 403].includes(response.status) && response.status < 500
            : response.status === want;
        if (!isMatch)
          mismatches.push(
            `${row.method} ${path} as ${caller}: ${response.status} (want ${want}) ${text.slice(0, 200)}`,
          );
        if (want === 404 && caller === 'client of another tenant') {
          // The same answer as for a workflow that never existed.
          expect(JSON.parse(text)).toMatchObject({
            message: expect.stringMatching(/^(workflow|bulk action) .* does not exist$/),
          });
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('the bootstrap admin key is an admin key; a key in the wrong header form is none', async () => {
    expect((await admin.get('/admin/keys')).status).toBe(200);
    const response = await admin.as(null).request('GET', '/workflows', undefined, {
      authorization: `Basic ${keys.admin}`,
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('a client lists only its own tenant’s workflows; an admin filters by tenant and type', async () => {
    const other = await api('client of another tenant').startWorkflow({
      type: 'TEST_ONE',
      input: {},
      sessionId: 's',
    });
    const ids = async (caller: CallerKind, query: string) =>
      (await api(caller).json<{ items: { workflowId: string }[] }>(`/workflows${query}`)).items.map(
        (item) => item.workflowId,
      );
    expect(await ids('client of the tenant', '?limit=100')).toContain(completedWorkflowId);
    expect(await ids('client of the tenant', '?limit=100')).not.toContain(other);
    const globex = await ids('client of another tenant', '?limit=100');
    expect(globex).toContain(other);
    expect(globex).not.toContain(completedWorkflowId);
    expect(await ids('admin', '?tenantId=globex&limit=100')).toEqual(globex);
    expect(await ids('admin', '?limit=100&type=TEST_WAIT')).not.toContain(completedWorkflowId);
    expect(await ids('admin', '?limit=100&type=TEST_ONE&status=COMPLETED')).toContain(completedWorkflowId);
    expect((await api('client of another tenant').get('/workflows?tenantId=acme')).status).toBe(403);
  });

  describe('Socket.IO', () => {
    type SocketCell = 'ok' | 'refused' | 'NOT_FOUND' | 'FORBIDDEN';
    const EVENTS: { event: string; payload: () => Promise<unknown>; otherTenant: SocketCell }[] = [
      {
        event: 'workflow.start',
        payload: async () => ({ type: 'TEST_ONE', input: {}, sessionId: 's' }),
        otherTenant: 'ok',
      },
      {
        event: 'workflow.subscribe',
        payload: async () => ({ workflowId: completedWorkflowId }),
        otherTenant: 'NOT_FOUND',
      },
      {
        event: 'workflow.unsubscribe',
        payload: async () => ({ workflowId: completedWorkflowId }),
        otherTenant: 'ok',
      },
      {
        event: 'workflow.cancel',
        payload: async () => ({ workflowId: await waitingWorkflow() }),
        otherTenant: 'NOT_FOUND',
      },
      {
        event: 'workflow.pause',
        payload: async () => ({ workflowId: await waitingWorkflow() }),
        otherTenant: 'NOT_FOUND',
      },
      {
        event: 'workflow.resume',
        payload: async () => {
          const workflowId = await waitingWorkflow();
          expect((await admin.post(`/workflows/${workflowId}/pause`)).status).toBe(200);
          return { workflowId };
        },
        otherTenant: 'NOT_FOUND',
      },
      { event: 'runs.watch', payload: async () => ({}), otherTenant: 'ok' },
      { event: 'runs.watch', payload: async () => ({ tenantId: 'acme' }), otherTenant: 'FORBIDDEN' },
      { event: 'runs.unwatch', payload: async () => ({}), otherTenant: 'ok' },
      { event: 'ping', payload: async () => ({}), otherTenant: 'ok' },
    ];
    const expectedCell = (row: (typeof EVENTS)[number], caller: CallerKind): SocketCell =>
      caller === 'no key' || caller === 'revoked key'
        ? 'refused'
        : caller === 'client of another tenant'
          ? row.otherTenant
          : 'ok';

    it('answers each cell of the Socket.IO matrix as the table says', async () => {
      const mismatches: string[] = [];
      for (const row of EVENTS) {
        for (const caller of CALLERS) {
          const client = new WorkflowClient(apps[0].url, { token: keys[caller] });
          let got: SocketCell;
          try {
            await client.connected();
            const ack = (await client.socket.timeout(10_000).emitWithAck(row.event, await row.payload())) as {
              ok: boolean;
              error?: { code: string };
            };
            got = ack.ok ? 'ok' : (ack.error?.code as SocketCell);
          } catch (error) {
            got = (error as { data?: { code?: string } }).data?.code === 'UNAUTHORIZED' ? 'refused' : 'ok';
            if (got !== 'refused') throw error;
          } finally {
            client.close();
          }
          const want = expectedCell(row, caller);
          if (got !== want) mismatches.push(`${row.event} as ${caller}: ${got} (want ${want})`);
        }
      }
      expect(mismatches).toEqual([]);
    });

    it('runs.watch: each watcher hears the changes of the runs it may see, and only those', async () => {
      const watchers = {
        admin: new WorkflowClient(apps[0].url, { token: keys.admin }),
        acme: new WorkflowClient(apps[0].url, { token: keys['client of the tenant'] }),
        globex: new WorkflowClient(apps[0].url, { token: keys['client of another tenant'] }),
      };
      const heard: Record<keyof typeof watchers, { workflowId: string; status: string; tenantId: string }[]> =
        {
          admin: [],
          acme: [],
          globex: [],
        };
      try {
        for (const [name, client] of Object.entries(watchers) as [keyof typeof watchers, WorkflowClient][]) {
          await client.connected();
          client.socket.on('run', (summary: (typeof heard)['admin'][number]) => heard[name].push(summary));
          expect(await client.socket.emitWithAck('runs.watch', {})).toEqual({
            ok: true,
            tenantId: name === 'admin' ? null : name,
          });
        }
        const workflowId = await api('client of the tenant').startWorkflow({
          type: 'TEST_ONE',
          input: {},
          sessionId: 's',
        });
        const statusesHeard = (name: keyof typeof watchers, id = workflowId) =>
          heard[name].filter((summary) => summary.workflowId === id).map((summary) => summary.status);
        await waitFor(
          async () => (statusesHeard('acme').includes(WorkflowStatus.Completed) ? true : undefined),
          'the tenant’s watcher to hear the run complete',
        );
        await waitFor(
          async () => (statusesHeard('admin').includes(WorkflowStatus.Completed) ? true : undefined),
          'the admin’s watcher to hear the run complete',
        );
        expect(heard.acme.every((summary) => summary.tenantId === 'acme')).toBe(true);
        expect(statusesHeard('globex')).toEqual([]);
        // Unwatching stops the feed.
        await watchers.acme.socket.emitWithAck('runs.unwatch', {});
        const later = await api('client of the tenant').startWorkflow({
          type: 'TEST_ONE',
          input: {},
          sessionId: 's',
        });
        await waitFor(
          async () => (statusesHeard('admin', later).includes(WorkflowStatus.Completed) ? true : undefined),
          'the admin’s watcher to hear the later run complete',
        );
        expect(statusesHeard('acme', later)).toEqual([]);
      } finally {
        for (const client of Object.values(watchers)) client.close();
      }
    });

    it('revoking a key disconnects the sockets that hold it', async () => {
      const key = await createKey('acme', 'client');
      const client = new WorkflowClient(apps[0].url, { token: key.key });
      await client.connected();
      const disconnected = new Promise((resolve) => client.socket.once('disconnect', resolve));
      expect((await admin.request('DELETE', `/admin/keys/${key.id}`)).status).toBe(204);
      expect(await disconnected).toBe('io server disconnect');
      const again = io(apps[0].url, {
        transports: ['websocket'],
        reconnection: false,
        auth: { token: key.key },
      });
      const refusal = await new Promise<{ data?: unknown }>((resolve) =>
        again.once('connect_error', resolve),
      );
      expect(refusal.data).toEqual({ code: 'UNAUTHORIZED' });
      again.close();
    });
  });

  it(`limits each key to ${RATE_LIMIT} requests a minute: 429 with Retry-After, other keys unaffected`, async () => {
    const limited = admin.as((await createKey('acme', 'client')).key);
    const statuses: number[] = [];
    for (let sent = 0; sent < RATE_LIMIT; sent += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => limited.get('/workflow-definitions')));
      statuses.push(...batch.map((response) => response.status));
    }
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const refused = await limited.get('/workflow-definitions');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { message: string }).message).toMatch(/too many requests/);
    expect((await api('client of the tenant').get('/workflow-definitions')).status).toBe(200);
  });

  it('counts Socket.IO events against the same per-key budget: an error ack with the wait once it is spent', async () => {
    const created = await createKey('acme', 'client');
    const client = new WorkflowClient(apps[0].url, { token: created.key });
    await client.connected();
    // Half the budget over REST, the rest over the socket: one budget whichever way a key calls.
    const rest = admin.as(created.key);
    await Promise.all(Array.from({ length: RATE_LIMIT / 2 }, () => rest.get('/workflow-definitions')));
    const acks: { ok: boolean; error?: { code: string; message: string } }[] = [];
    for (let sent = 0; sent < RATE_LIMIT / 2; sent += 50) {
      acks.push(...(await Promise.all(Array.from({ length: 50 }, () => client.socket.emitWithAck('ping')))));
    }
    expect(acks.filter((ack) => 'error' in ack)).toEqual([]);
    expect(await client.socket.emitWithAck('ping')).toEqual({
      ok: false,
      error: { code: 'RATE_LIMITED', message: expect.stringMatching(/too many requests: retry after \d+ s/) },
    });
    expect(await client.socket.emitWithAck('workflow.subscribe', { workflowId: randomUUID() })).toMatchObject(
      {
        error: { code: 'RATE_LIMITED' },
      },
    );
    expect(client.socket.connected).toBe(true);
    client.close();
  });

  it('sends security headers and no CORS grant by default', async () => {
    const response = await fetch(`${apps[0].url}/health/live`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

let typeCounter = 0;
function uniqueType(): string {
  typeCounter += 1;
  return `TEST_MATRIX_${typeCounter}`;
}

import { once } from 'node:events';
import { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { HttpAgentRequest } from '@app/agent-sdk/http';
import {
  AgentWorkerStatus,
  ErrorEvent,
  LogEvent,
  RegisteredAgent,
  RegisteredHttpAgent,
  WorkflowEventType,
  WorkflowState,
  WorkflowStatus,
} from '@app/contracts';
import { Webhook } from 'standardwebhooks';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { TEST_ADMIN_KEY, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';

/** One request an HTTP agent received, verified with the secret its registration returned. */
interface Received {
  agent: string;
  body: HttpAgentRequest;
  headers: IncomingHttpHeaders;
  /** Date.now() when its body had arrived. */
  receivedAt: number;
  /** Date.now() when it was answered; null while it is not. */
  answeredAt: number | null;
  /** Settles when the caller closed the connection before an answer. */
  hungUp: Promise<void>;
}

/** What the agents answer: by the workflow's `input.mode` and the attempt. */
type Answer = (request: Received, response: ServerResponse) => void;

/**
 * The HTTP agents: a local server, one path per agent (`/agents/<name>`), that refuses with 401
 * any request whose Standard Webhooks signature does not verify with that agent's secret.
 */
class AgentServer {
  readonly received: Received[] = [];
  /** Requests refused for their signature. */
  readonly forged: string[] = [];
  readonly secrets = new Map<string, string>();
  private waiters: { test: (request: Received) => boolean; resolve: (request: Received) => void }[] = [];

  private constructor(
    private readonly server: Server,
    private readonly answer: Answer,
  ) {}

  static async start(answer: Answer): Promise<AgentServer> {
    const server = createServer();
    const agents = new AgentServer(server, answer);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void agents.take(request, response);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return agents;
  }

  urlOf(agent: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/agents/${agent}`;
  }

  /** Resolves with the first received or future request that passes `test`. */
  next(test: (request: Received) => boolean): Promise<Received> {
    const seen = this.received.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  of(workflowId: string): Received[] {
    return this.received.filter((request) => request.body.workflowId === workflowId);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async take(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const agent = (request.url ?? '').replace(/^\/agents\//, '');
    const secret = this.secrets.get(agent);
    let body: HttpAgentRequest;
    try {
      if (!secret) throw new Error(`no secret for ${agent}`);
      body = new Webhook(secret).verify(raw, request.headers as Record<string, string>) as HttpAgentRequest;
    } catch (error) {
      this.forged.push(`${agent}: ${String(error)}`);
      return void response.writeHead(401).end();
    }
    const received: Received = {
      agent,
      body,
      headers: request.headers,
      receivedAt: Date.now(),
      answeredAt: null,
      hungUp: new Promise((resolve) =>
        response.once('close', () => {
          if (!response.writableEnded) resolve();
        }),
      ),
    };
    response.once('finish', () => (received.answeredAt = Date.now()));
    this.received.push(received);
    this.waiters = this.waiters.filter(
      (waiter) => !(waiter.test(received) && (waiter.resolve(received), true)),
    );
    this.answer(received, response);
  }
}

const json = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

/** The agents' behaviour, chosen by each workflow's `input.mode`. */
const answer: Answer = ({ body }, response) => {
  const { mode, text } = body.input as { mode: string; text?: string };
  switch (mode) {
    case 'summarise':
      return json(response, 200, { summary: `${text} (summarised)`, saw: body.dependencies });
    case 'rate-limited':
      if (body.attempt === 1) return json(response, 429, { error: 'slow down' }, { 'retry-after': '1' });
      return json(response, 200, { attempt: body.attempt });
    case 'invalid':
      return json(response, 400, { error: 'text is missing' });
    case 'slow-once':
      // The first attempt is never answered; the retry at once.
      if (body.attempt === 1) return;
      return json(response, 200, { attempt: body.attempt });
    case 'hold':
      return;
    default:
      return json(response, 500, { error: `unknown mode ${mode}` });
  }
};

/**
 * HTTP agents through the real system: registered over the admin API of the gateway, served by
 * the orchestrator (both processes of their own), called at a local server that verifies every
 * request's Standard Webhooks signature with the secret the registration returned.
 */
describe('HTTP agents', () => {
  const namespace = new TestNamespace();
  let apps: AppProcess[] = [];
  let api: ApiClient;
  let client: WorkflowClient;
  let agents: AgentServer;

  const catalogueEntry = async (name: string) =>
    (await api.json<RegisteredAgent[]>('/agents')).find((agent) => agent.name === name);
  /** Registers an HTTP agent at the local server, and waits until a live worker serves it. */
  const register = async (name: string, extra: Record<string, unknown> = {}) => {
    const response = await api.post('/admin/http-agents', {
      name,
      version: '1.0.0',
      description: `${name} over HTTP`,
      url: agents.urlOf(name),
      timeoutSeconds: 30,
      ...extra,
    });
    expect(response.status).toBe(201);
    agents.secrets.set(name, ((await response.json()) as RegisteredHttpAgent).secret as string);
    return waitFor(async () => {
      const entry = await catalogueEntry(name);
      return entry && entry.liveWorkers > 0 ? entry : undefined;
    }, `a live worker serving ${name}`);
  };
  /** A test step first, so the HTTP agent's step has a dependency, and one after it. */
  const defineAround = (type: string, agent: string) =>
    api.defineWorkflow(type, [
      { id: 'first', agent: 'test-echo' },
      { id: 'remote', agent, dependsOn: ['first'] },
      { id: 'after', agent: 'test-echo', dependsOn: ['remote'] },
    ]);
  const run = async (type: string, input: Record<string, unknown>) => {
    const workflowId = await api.startWorkflow({ type, input, sessionId: 'http-agents' });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    return { workflowId, finished: client.finished(workflowId) };
  };
  const state = (workflowId: string) => api.json<WorkflowState>(`/workflows/${workflowId}`);
  const retryEvents = (workflowId: string) =>
    client
      .of(workflowId)
      .filter(
        (event): event is LogEvent =>
          event.type === WorkflowEventType.Log && /retry \d in/.test(event.message),
      );

  beforeAll(async () => {
    await namespace.prepare();
    agents = await AgentServer.start(answer);
    apps = await AppProcess.startAll(
      ['gateway', 'orchestrator'],
      namespace.env({
        AGENT_MODULES: 'test/support/test-agents.ts',
        HTTP_AGENTS_ALLOW_PRIVATE_NETWORKS: 'true',
        // No agent here has CPU tasks: no pool threads to start on a shared machine.
        CPU_POOL_THREADS: '0',
      }),
    );
    api = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    client = new WorkflowClient(apps[0].url);
    await client.connected();
    await register('summarise');
    // Its first attempts time out after 1 s; a timeout's retry waits about 50 ms.
    await register('slow-summarise', { timeoutSeconds: 1, retry: { initialDelayMs: 50 } });
    await defineAround('SUMMARISE', 'summarise');
    await defineAround('SLOW_SUMMARISE', 'slow-summarise');
  });

  afterAll(async () => {
    client?.close();
    await Promise.all(apps.map((app) => app.stop()));
    await agents?.close();
    await namespace.dispose();
  });

  afterEach(() => {
    // Every request the orchestrator sent was signed with the agent's secret.
    expect(agents.forged).toEqual([]);
  });

  it('serves a registered HTTP agent: a worker of the orchestrator announces it, and its output reaches the next step', async () => {
    // Each registration starts a worker with the new set and retires the one before it, which
    // says so when it has closed: until then two of the host's workers are alive.
    const workers = await waitFor(async () => {
      const listed = await api.json<AgentWorkerStatus[]>('/workers');
      const hosts = listed.filter(
        (worker) => worker.name === 'orchestrator-http-agents' && worker.status === 'alive',
      );
      return hosts.length === 1 ? listed : undefined;
    }, 'the HTTP agents host to retire the worker it replaced');
    expect(workers.filter((worker) => worker.status === 'alive').map((worker) => worker.name)).toEqual(
      expect.arrayContaining(['orchestrator', 'orchestrator-http-agents']),
    );
    expect(
      workers.find((worker) => worker.name === 'orchestrator-http-agents' && worker.status === 'alive'),
    ).toMatchObject({
      queues: ['steps.slow-summarise@1', 'steps.summarise@1'],
      agents: [
        { name: 'slow-summarise', version: '1.0.0', timeoutSeconds: 1, retry: { initialDelayMs: 50 } },
        { name: 'summarise', version: '1.0.0', description: 'summarise over HTTP', timeoutSeconds: 30 },
      ],
    });

    const { workflowId, finished } = await run('SUMMARISE', { mode: 'summarise', text: 'a long text' });
    expect(await finished).toMatchObject({
      status: WorkflowStatus.Completed,
      result: { after: { stepId: 'after', saw: ['first', 'remote'] } },
    });
    const [request] = agents.of(workflowId);
    expect(agents.of(workflowId)).toHaveLength(1);
    expect(request.body).toMatchObject({
      workflowType: 'SUMMARISE',
      stepId: 'remote',
      attempt: 1,
      sessionId: 'http-agents',
      input: { mode: 'summarise', text: 'a long text' },
      dependencies: { first: { stepId: 'first', saw: [] } },
    });
    expect(request.headers['webhook-id']).toBe(`${workflowId}:remote:1`);
    expect(await api.json<{ output: unknown }>(`/workflows/${workflowId}/outputs/remote`)).toMatchObject({
      output: { summary: 'a long text (summarised)', saw: { first: { stepId: 'first', saw: [] } } },
    });
  });

  it('retries a 429 once, after exactly the Retry-After it gave', async () => {
    const { workflowId, finished } = await run('SUMMARISE', { mode: 'rate-limited' });
    expect(await finished).toMatchObject({ status: WorkflowStatus.Completed });
    const [first, second] = agents.of(workflowId);
    expect(agents.of(workflowId).map((request) => request.body.attempt)).toEqual([1, 2]);
    const retries = retryEvents(workflowId);
    expect(retries).toHaveLength(1);
    expect(retries[0].metadata).toMatchObject({ retryDelayMs: 1000 });
    expect(retries[0].message).toContain('agent summarise answered 429: slow down');
    expect(second.receivedAt - (first.answeredAt as number)).toBeGreaterThanOrEqual(1000 - 5);
    expect(await api.json<{ output: unknown }>(`/workflows/${workflowId}/outputs/remote`)).toMatchObject({
      output: { attempt: 2 },
    });
  });

  it('fails the workflow at once on a 400, with the status and the message, without retrying', async () => {
    const { workflowId, finished } = await run('SUMMARISE', { mode: 'invalid' });
    expect((await finished) as ErrorEvent).toMatchObject({
      type: WorkflowEventType.Error,
      status: WorkflowStatus.Failed,
      stepId: 'remote',
      message: 'remote: ValidationError: agent summarise answered 400: text is missing',
    });
    expect(agents.of(workflowId)).toHaveLength(1);
    expect(retryEvents(workflowId)).toEqual([]);
    expect((await state(workflowId)).metrics).toMatchObject({ retryCount: 0, errorCount: 1 });
  });

  it('aborts a request past its timeoutSeconds as a timeout, and retries it once with a longer deadline', async () => {
    const { workflowId, finished } = await run('SLOW_SUMMARISE', { mode: 'slow-once' });
    expect(await finished).toMatchObject({ status: WorkflowStatus.Completed });
    const [first, second] = agents.of(workflowId);
    expect(agents.of(workflowId).map((request) => request.body.attempt)).toEqual([1, 2]);
    // The unanswered request was aborted: the agent saw its connection closed.
    await first.hungUp;
    const retries = retryEvents(workflowId);
    expect(retries).toHaveLength(1);
    expect(retries[0].message).toContain('TimeoutError');
    // Each request carries its attempt's deadline: 1 s for the first, twice that for the retry.
    const remaining = (request: Received) => Date.parse(request.body.deadline) - request.receivedAt;
    expect(remaining(first)).toBeGreaterThan(0);
    expect(remaining(first)).toBeLessThanOrEqual(1000);
    expect(remaining(second)).toBeGreaterThan(1000);
    expect(remaining(second)).toBeLessThanOrEqual(2000);
    expect(await api.json<{ output: unknown }>(`/workflows/${workflowId}/outputs/remote`)).toMatchObject({
      output: { attempt: 2 },
    });
  });

  it('cancels a workflow while its agent holds the request: the agent sees the connection closed', async () => {
    const { workflowId, finished } = await run('SUMMARISE', { mode: 'hold' });
    const held = await agents.next((request) => request.body.workflowId === workflowId);
    const response = await api.post(`/workflows/${workflowId}/cancel`);
    expect(response.status).toBe(200);
    await held.hungUp;
    expect(await finished).toMatchObject({
      type: WorkflowEventType.Complete,
      status: WorkflowStatus.Cancelled,
    });
    expect(agents.of(workflowId)).toHaveLength(1);
    expect((await state(workflowId)).steps.find((step) => step.stepId === 'after')?.lifecycle).toBe(
      'REGISTERED',
    );
  });

  it('refuses with 409 an HTTP agent named like an agent another worker serves, and stores nothing', async () => {
    const response = await api.post('/admin/http-agents', {
      name: 'test-echo',
      version: '1.0.0',
      description: 'a clash',
      url: agents.urlOf('test-echo'),
      timeoutSeconds: 30,
    });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { message: string }).message).toBe(
      'agent test-echo is already served by worker(s) orchestrator, not as an HTTP agent; choose another name',
    );
    expect((await api.get('/admin/http-agents/test-echo')).status).toBe(404);
  });

  it('stops serving a deleted HTTP agent: a new workflow’s step waits for a live worker', async () => {
    await register('ephemeral');
    await defineAround('EPHEMERAL', 'ephemeral');
    const served = await run('EPHEMERAL', { mode: 'summarise', text: 'x' });
    expect(await served.finished).toMatchObject({ status: WorkflowStatus.Completed });

    expect((await api.request('DELETE', '/admin/http-agents/ephemeral')).status).toBe(204);
    await waitFor(
      async () => ((await catalogueEntry('ephemeral'))?.liveWorkers === 0 ? true : undefined),
      'no live worker serving ephemeral',
    );
    // The first step outlasts the one second a process may route by its last view of the workers.
    const { workflowId } = await run('EPHEMERAL', { mode: 'summarise', text: 'y', sleepMs: { first: 1200 } });
    const waiting = await client.waiting(workflowId, 'remote');
    expect(waiting).toMatchObject({ lifecycle: 'READY', waitingFor: 'no live worker serves ephemeral@1' });
    expect(agents.of(workflowId)).toEqual([]);
    // The other HTTP agents are still served.
    expect(await catalogueEntry('summarise')).toMatchObject({ liveWorkers: 1 });
    expect((await api.post(`/workflows/${workflowId}/cancel`)).status).toBe(200);
  });
});

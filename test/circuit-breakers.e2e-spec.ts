import { once } from 'node:events';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { AgentStatusEvent, WorkflowEventType, WorkflowStatus, agentStepsQueue } from '@app/contracts';
import {
  BreakerKeys,
  BreakerStatus,
  BreakerStore,
  BreakerTransition,
  DEFAULT_BREAKER_SETTINGS,
  FlowControlRedis,
} from '@app/flow-control';
import { RedisClient } from '@app/redis';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { runCli } from './support/cli-process';
import { TEST_ADMIN_KEY, connectTestRedis, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';

const SETTINGS = {
  failureThreshold: 3,
  coolDownMs: 1000,
  halfOpenProbes: 1,
  closeAfterSuccesses: 2,
  probeLeaseMs: 10_000,
};

/**
 * A provider the test controls, answering after 100 ms (so calls overlap) by the phase of its
 * breaker, as the transitions the test has seen tell it: 429 with Retry-After: 2 until the breaker
 * first opened; 200 while it is open (calls already on their way) and half-open (the probes that
 * close it); then a burst of 5xx until it opens again; then 200. Phases follow the breaker, not
 * the clock, so a loaded machine that delays calls cannot hand a probe a failure meant for the burst.
 */
class FakeProvider {
  /** Each request: when it arrived, what it was answered, and (once its body is read) whose step's attempt it was. */
  readonly requests: {
    at: number;
    status: number;
    job?: { workflowId: string; stepId: string; attempt: number };
  }[] = [];
  private burst = 0;
  private constructor(
    private readonly server: Server,
    private readonly transitions: () => BreakerTransition[],
  ) {}

  /** `transitions`: those of this provider's breaker seen so far, in order. */
  static async start(transitions: () => BreakerTransition[]): Promise<FakeProvider> {
    let provider: FakeProvider | undefined = undefined;
    const server = createServer((request, response) => {
      const status = provider?.answer() ?? 200;
      const received = provider?.requests.at(-1);
      let body = '';
      request.on('data', (chunk) => (body += String(chunk)));
      request.on('end', () => {
        if (received) received.job = JSON.parse(body) as typeof received.job;
      });
      setTimeout(() => {
        const headers = status === 429 ? { 'retry-after': '2' } : {};
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(status === 200 ? { paid: true } : { error: `answered ${status}` }));
      }, 100);
    });
    provider = new FakeProvider(server, transitions);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return provider;
  }

  private answer(): number {
    const at = Date.now();
    const seen = this.transitions();
    const opens = seen.filter(({ to }) => to === 'open').length;
    const isClosedAfterFirstOpen = opens === 1 && seen.at(-1)?.to === 'closed';
    const status = opens === 0 ? 429 : isClosedAfterFirstOpen ? [500, 502][this.burst++ % 2] : 200;
    this.requests.push({ at, status });
    return status;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/pay`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Circuit breakers shared by two workers (two orchestrators serving one HTTP agent): the provider
 * first rate-limits with Retry-After, then fails in a burst. The breaker opens in both at once and
 * holds every step in its queue, lets one probe at a time through, closes; every workflow completes.
 */
describe('circuit breakers shared by two workers', () => {
  const namespace = new TestNamespace();
  let apps: AppProcess[] = [];
  let api: ApiClient;
  let client: WorkflowClient;
  let provider: FakeProvider;
  let subscriber: RedisClient;
  let redis: RedisClient;
  let dependency: string;
  const transitions: BreakerTransition[] = [];

  beforeAll(async () => {
    await namespace.prepare();
    provider = await FakeProvider.start(() => transitions.filter((seen) => seen.dependency === dependency));
    dependency = `http:${new URL(provider.url).host}`;
    redis = connectTestRedis();
    subscriber = connectTestRedis();
    subscriber.on('message', (_channel, message: string) =>
      transitions.push(JSON.parse(message) as BreakerTransition),
    );
    await subscriber.subscribe(new BreakerKeys(namespace.redisPrefix).transitionsChannel);
    apps = await AppProcess.startAll(
      ['gateway', 'orchestrator', 'orchestrator'],
      namespace.env({
        HTTP_AGENTS_ALLOW_PRIVATE_NETWORKS: 'true',
        CPU_POOL_THREADS: '0',
        // Each 429 or 5xx answer is an attempt that really failed; the breaker's waits spend none.
        MAX_RETRIES: '10',
        CIRCUIT_BREAKERS: JSON.stringify({
          [dependency]: SETTINGS,
          'test-dependency': { failureThreshold: 2, coolDownMs: 500, closeAfterSuccesses: 1 },
        }),
        AGENT_MODULES: 'test/support/test-agents.ts',
      }),
    );
    api = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    client = new WorkflowClient(apps[0].url);
    await client.connected();
    const registered = await api.post('/admin/http-agents', {
      name: 'payments',
      version: '1.0.0',
      description: 'the fake provider',
      url: provider.url,
      timeoutSeconds: 10,
      retry: { initialDelayMs: 100, maxDelayMs: 500 },
    });
    expect(registered.status).toBe(201);
    await waitFor(async () => {
      const workers = await api.json<{ name: string; status: string; queues: string[] }[]>('/workers');
      const serving = workers.filter(
        (worker) => worker.status === 'alive' && worker.queues.includes('steps.payments@1'),
      );
      return serving.length === 2 ? serving : undefined;
    }, 'both orchestrators serving the HTTP agent');
    await api.defineWorkflow('PAY', [{ id: 'pay', agent: 'payments' }]);
  });

  afterAll(async () => {
    client?.close();
    await Promise.all(apps.map((app) => app.stop()));
    await provider?.close();
    await subscriber?.quit();
    await redis?.quit();
    await namespace.dispose();
  });

  it('opens in both workers at once, probes, closes, and no workflow fails', async () => {
    const workflowIds = await Promise.all(
      Array.from({ length: 8 }, () => api.startWorkflow({ type: 'PAY', input: {}, sessionId: 'breakers' })),
    );
    await Promise.all(
      workflowIds.map((workflowId) => client.socket.emitWithAck('workflow.subscribe', { workflowId })),
    );
    const ends = await Promise.all(workflowIds.map((workflowId) => client.finished(workflowId, 60_000)));
    expect(ends.map((end) => (end as { status?: string }).status)).toEqual(
      workflowIds.map(() => WorkflowStatus.Completed),
    );

    // open (429, for exactly its Retry-After), half-open, open again (the 5xx burst), ..., closed.
    await waitFor(
      async () => (transitions.at(-1)?.to === 'closed' ? true : undefined),
      'the last transition, closed',
      5000,
    );
    expect(transitions[0]).toMatchObject({
      dependency,
      from: 'closed',
      to: 'open',
      reason: 'rate limited for 2000 ms',
    });
    expect(transitions[0].openUntil - transitions[0].at).toBe(2000);
    // ... its probes close it; the 5xx burst opens it again, for every worker; its probes close it.
    expect(transitions.map(({ to }) => to)).toEqual([
      'open',
      'half_open',
      'closed',
      'open',
      'half_open',
      'closed',
    ]);
    expect(transitions[3].reason).toBe(`${SETTINGS.failureThreshold} consecutive failures`);

    // While open the provider sees no call (but those already on their way); while half-open, one at a time.
    // A call was let through after its step's job was taken (BullMQ's processedOn, before the gate
    // was asked) and before it arrived: only calls whose whole span falls within a state are surely
    // that state's, however long the way from the worker to the provider took on a loaded machine.
    const queue = agentStepsQueue('payments', 1);
    const takenAt = await Promise.all(
      provider.requests.map(async ({ job }) =>
        Number(
          await redis.hget(
            namespace.jobKey(queue, `${job!.workflowId}.${job!.stepId}.${job!.attempt}`),
            'processedOn',
          ),
        ),
      ),
    );
    expect(takenAt.every((at) => at > 0)).toBe(true);
    transitions.forEach((transition, index) => {
      const end = transitions[index + 1]?.at ?? Infinity;
      // 1 ms: the worker's clock and Redis's round differently.
      const during = provider.requests.filter(
        ({ at }, call) => takenAt[call] > transition.at + 1 && at < end,
      );
      if (transition.to === 'open') expect({ transition, during }).toEqual({ transition, during: [] });
      if (transition.to === 'half_open')
        expect(during.length).toBeLessThanOrEqual(SETTINGS.closeAfterSuccesses + SETTINGS.halfOpenProbes);
    });

    // Both workers held steps at their gate while it was open.
    const delayed = await Promise.all(
      apps.slice(1).map(async (app) => {
        const text = await (await fetch(`${app.url}/metrics`)).text();
        return /flow_control_steps_delayed_total\{[^}]*kind="breaker"[^}]*\} (\d+)/.exec(text)?.[1];
      }),
    );
    expect(delayed.map(Number)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(delayed.every((count) => Number(count) > 0)).toBe(true);
    const waits = workflowIds
      .flatMap((workflowId) => client.of(workflowId))
      .filter((event): event is AgentStatusEvent => event.type === WorkflowEventType.AgentStatus)
      .map((event) => event.waitingFor)
      .filter((reason) => reason !== undefined);
    expect(waits).toContainEqual(
      expect.stringMatching(new RegExp(`^circuit open: ${dependency} until \\d\\d:\\d\\d:\\d\\dZ$`)),
    );

    const [listed] = (await api.json<BreakerStatus[]>('/admin/breakers')).filter(
      (status) => status.dependency === dependency,
    );
    expect(listed).toMatchObject({
      state: 'closed',
      failures: 0,
      openUntil: null,
      transitions: transitions.length,
    });
    expect(listed.lastTransition).toMatchObject({ to: 'closed', reason: '2 probe(s) succeeded' });
  }, 120_000);

  it('an admin resets an open breaker for every worker; other keys are refused, and an unknown one is 404', async () => {
    // A third party (this test, on the workers' RedisClient) saw the provider fail: open for a minute.
    const store = new BreakerStore(new FlowControlRedis(redis), namespace.redisPrefix);
    await store.record(
      dependency,
      { ...DEFAULT_BREAKER_SETTINGS, failureThreshold: 1, coolDownMs: 60_000 },
      { kind: 'failure' },
    );
    const breakerOf = async () =>
      (await api.json<BreakerStatus[]>('/admin/breakers')).find((status) => status.dependency === dependency);
    expect(await breakerOf()).toMatchObject({
      state: 'open',
      lastTransition: { to: 'open', reason: '1 consecutive failures' },
    });

    // A workflow started now waits at the gate, for the minute: the provider hears nothing.
    const requestsBefore = provider.requests.length;
    const held = await api.startWorkflow({ type: 'PAY', input: {}, sessionId: 'breakers' });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId: held });
    await waitFor(
      async () =>
        client
          .of(held)
          .find(
            (event) =>
              event.type === WorkflowEventType.AgentStatus &&
              /^circuit open: /.test((event as AgentStatusEvent).waitingFor ?? ''),
          ),
      'the held step waiting for the breaker',
    );
    expect(provider.requests.length).toBe(requestsBefore);

    const { key } = (await (
      await api.post('/admin/keys', { tenantId: 'acme', role: 'client', name: 'not an admin' })
    ).json()) as {
      key: string;
    };
    expect((await api.as(key).post(`/admin/breakers/${encodeURIComponent(dependency)}/reset`)).status).toBe(
      403,
    );
    expect((await api.post('/admin/breakers/http:never-called.example.com/reset')).status).toBe(404);
    const reset = await api.post(`/admin/breakers/${encodeURIComponent(dependency)}/reset`);
    expect(reset.status).toBe(200);
    expect(await reset.json()).toMatchObject({
      dependency,
      state: 'closed',
      openUntil: null,
      lastTransition: { to: 'closed', reason: 'reset by an admin' },
    });

    // Closed for every worker: a workflow started now runs at once, well within the minute.
    const startedAt = Date.now();
    const next = await api.startWorkflow({ type: 'PAY', input: {}, sessionId: 'breakers' });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId: next });
    expect(await client.finished(next, 30_000)).toMatchObject({ status: WorkflowStatus.Completed });
    expect(Date.now() - startedAt).toBeLessThan(30_000);
    expect(provider.requests.length).toBe(requestsBefore + 1);
  }, 120_000);

  it('ao breakers lists them and ao breakers reset closes one', async () => {
    const env = { AO_URL: apps[0].url, AO_KEY: TEST_ADMIN_KEY };
    const store = new BreakerStore(new FlowControlRedis(redis), namespace.redisPrefix);
    await store.record(
      dependency,
      { ...DEFAULT_BREAKER_SETTINGS, failureThreshold: 1, coolDownMs: 60_000 },
      { kind: 'failure' },
    );
    const listed = await runCli(['breakers', '-o', 'json'], env);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toContainEqual(expect.objectContaining({ dependency, state: 'open' }));
    const unknown = await runCli(['breakers', 'reset', 'http:never-called.example.com'], env);
    expect(unknown.code).toBe(6);
    expect(unknown.stderr).toContain('no circuit breaker for http:never-called.example.com');
    const reset = await runCli(['breakers', 'reset', dependency, '-o', 'json'], env);
    expect(reset.code).toBe(0);
    expect(JSON.parse(reset.stdout)).toEqual([expect.objectContaining({ dependency, state: 'closed' })]);
    expect((await store.status(dependency)).state).toBe('closed');
  }, 120_000);

  it('an agent calls a dependency it declares through context.breakers: its failures open it, its step waits, a probe closes it', async () => {
    await api.defineWorkflow('GUARDED', [{ id: 'guarded', agent: 'test-guarded' }]);
    const seen = transitions.length;
    const workflowId = await api.startWorkflow({ type: 'GUARDED', input: {}, sessionId: 'breakers' });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    expect(await client.finished(workflowId, 60_000)).toMatchObject({
      status: WorkflowStatus.Completed,
      result: { guarded: { succeededOnAttempt: 3 } },
    });
    await waitFor(async () => (transitions.at(-1)?.to === 'closed' ? true : undefined), 'closed again', 5000);
    expect(transitions.slice(seen).map(({ dependency: name, to, reason }) => ({ name, to, reason }))).toEqual(
      [
        { name: 'test-dependency', to: 'open', reason: '2 consecutive failures' },
        { name: 'test-dependency', to: 'half_open', reason: 'cool-down over: probing' },
        { name: 'test-dependency', to: 'closed', reason: '1 probe(s) succeeded' },
      ],
    );
    const waits = client
      .of(workflowId)
      .filter((event): event is AgentStatusEvent => event.type === WorkflowEventType.AgentStatus)
      .map((event) => event.waitingFor);
    expect(waits).toContainEqual(expect.stringMatching(/^circuit open: test-dependency until /));
  }, 120_000);
});

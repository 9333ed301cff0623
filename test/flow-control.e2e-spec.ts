import { once } from 'node:events';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  AgentLifecycle,
  AgentStatusEvent,
  agentStepsQueue,
  queueKeyPrefix,
  STEP_QUEUE_PARTITION_COUNTS,
  WorkflowEventType,
  WorkflowState,
  WorkflowStatus,
} from '@app/contracts';
import { FlowControlKeys } from '@app/flow-control';
import { RedisClient } from '@app/redis';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import {
  HOLD_LEASE_SECONDS,
  PROVIDER_CONCURRENCY,
  PROVIDER_RATE,
  holdStartedKey,
} from './support/flow-control-agents';
import { TEST_ADMIN_KEY, TEST_REDIS_URL, TestNamespace, connectTestRedis } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';
import { WorkflowProducer } from './support/workflow-producer';

/** One request the fake provider received. */
interface ProviderCall {
  workflowId: string;
  stepId: string;
  site?: string;
  receivedAt: number;
}

/**
 * A provider for the limits to protect: answers every POST after `holdMs`, and records when each
 * arrived and how many were in flight at once, overall and per site.
 */
class FakeProvider {
  readonly calls: ProviderCall[] = [];
  maxInFlight = 0;
  readonly maxInFlightBySite = new Map<string, number>();
  private inFlight = 0;
  private readonly inFlightBySite = new Map<string, number>();

  private constructor(
    readonly server: Server,
    private readonly holdMs: number,
  ) {
    server.on(
      'request',
      (request: IncomingMessage, response: ServerResponse) => void this.answer(request, response),
    );
  }

  static async start(holdMs: number): Promise<FakeProvider> {
    const provider = new FakeProvider(createServer(), holdMs);
    provider.server.listen(0, '127.0.0.1');
    await once(provider.server, 'listening');
    return provider;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/call`;
  }

  /**
   * The most requests whose admission surely fell within one window of `windowMs`, given for each
   * call when its admission may have been at the earliest (`admittableFrom`, by call id: when its
   * worker took the step's job, before asking the gate) and at the latest (when it arrived here).
   * Only calls whose whole span fits a window are counted for it, so a slow way from the worker to
   * the provider can never make calls admitted apart look admitted together.
   */
  maxSurelyAdmittedWithin(windowMs: number, admittableFrom: (call: ProviderCall) => number): number {
    const spans = this.calls.map((call) => ({ from: admittableFrom(call), to: call.receivedAt }));
    let most = 0;
    for (const { from: start } of spans) {
      const inside = spans.filter((span) => span.from >= start && span.to < start + windowMs);
      most = Math.max(most, inside.length);
    }
    return most;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const call = { ...(JSON.parse(body) as Omit<ProviderCall, 'receivedAt'>), receivedAt };
    this.calls.push(call);
    const site = call.site ?? '';
    this.inFlight += 1;
    this.inFlightBySite.set(site, (this.inFlightBySite.get(site) ?? 0) + 1);
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.maxInFlightBySite.set(
      site,
      Math.max(this.maxInFlightBySite.get(site) ?? 0, this.inFlightBySite.get(site)!),
    );
    await new Promise((resolve) => setTimeout(resolve, this.holdMs));
    this.inFlight -= 1;
    this.inFlightBySite.set(site, this.inFlightBySite.get(site)! - 1);
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ answered: call.stepId }));
  }
}

/** Starts `count` workflows, 25 at a time (so a backlog builds faster than the workers drain it), in order of the batches. */
async function startMany(count: number, start: () => Promise<string>): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < count)
    ids.push(...(await Promise.all(Array.from({ length: Math.min(25, count - ids.length) }, start))));
  return ids;
}

/**
 * Flow control through the real services: a gateway and TWO orchestrators sharing the limits in
 * RedisClient, test agents with limits (test/support/flow-control-agents.ts) calling a fake provider
 * this spec runs, workflows started over HTTP and by the queue producer for the large backlogs.
 */
describe('flow control', () => {
  const namespace = new TestNamespace();
  let gateway: AppProcess;
  let orchestrators: AppProcess[] = [];
  let api: ApiClient;
  let client: WorkflowClient;
  let redis: RedisClient;
  let producer: WorkflowProducer;
  let provider: FakeProvider;
  /** Workflow ids in the order their terminal events arrived (from the producer's subscription). */
  const finishedOrder: string[] = [];
  /** The steps' events the producer's subscription saw, and those of waiting steps. */
  const statuses: AgentStatusEvent[] = [];
  const waiting: AgentStatusEvent[] = [];
  const env = namespace.env({
    AGENT_MODULES: 'test/support/test-agents.ts,test/support/flow-control-agents.ts',
    STEP_CONCURRENCY: '4',
    STEP_LOCK_MS: '2000',
  });

  /** The orchestrators' `workflow_steps_begun_total` of an agent and way, summed. */
  const begunSteps = async (agent: string, via: string) => {
    const series = new RegExp(
      `^workflow_steps_begun_total\\{[^}]*agent="${agent}",via="${via}"[^}]*\\} (\\d+)$`,
      'm',
    );
    const texts = await Promise.all(
      orchestrators.map(async (app) => (await fetch(`${app.url}/metrics`)).text()),
    );
    return texts.reduce((sum, text) => sum + Number(series.exec(text)?.[1] ?? 0), 0);
  };

  beforeAll(async () => {
    await namespace.prepare();
    redis = connectTestRedis();
    provider = await FakeProvider.start(300);
    [gateway, ...orchestrators] = await AppProcess.startAll(['gateway', 'orchestrator', 'orchestrator'], env);
    api = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    client = new WorkflowClient(gateway.url);
    await client.connected();
    producer = await new WorkflowProducer(redis, TEST_REDIS_URL, namespace.redisPrefix).listen((event) => {
      if (event.type === WorkflowEventType.Complete || event.type === WorkflowEventType.Error)
        finishedOrder.push(event.workflowId);
      if (event.type === WorkflowEventType.AgentStatus) statuses.push(event);
      if (event.type === WorkflowEventType.AgentStatus && event.waitingFor) waiting.push(event);
    });
  }, 180_000);

  afterAll(async () => {
    client?.close();
    await producer?.close();
    await Promise.all([gateway, ...orchestrators].filter(Boolean).map((app) => app.stop()));
    await provider?.close();
    await redis?.quit();
    await namespace.dispose();
  });

  describe('limits are checked when a definition is registered', () => {
    it.each([
      [
        'a rate of zero',
        [{ name: 'x', key: ['tenant'], rate: { requests: 0, periodSeconds: 1 } }],
        'limit "x": rate.requests must be a number above 0, not 0',
      ],
      [
        'a negative concurrency',
        [{ name: 'x', key: ['tenant'], concurrency: { slots: -3 } }],
        'limit "x": concurrency.slots must be an integer above 0, not -3',
      ],
      [
        'an unknown key field',
        [{ name: 'x', key: ['region'], rate: { requests: 1, periodSeconds: 1 } }],
        'limit "x": key field "region" is unknown (use agent, tenant, workflowType, model or input.<path>)',
      ],
    ])('refuses %s with 422, naming the limit', async (_, limits, message) => {
      const response = await api.post('/workflow-definitions', {
        type: 'BAD_LIMITS',
        description: 'x',
        steps: [{ id: 'a', agent: 'test-echo', dependsOn: [] }],
        limits,
      });
      expect(response.status).toBe(422);
      expect(((await response.json()) as { message: string }).message).toContain(message);
      expect((await api.get('/workflow-definitions/BAD_LIMITS')).status).toBe(404);
    });
  });

  it('stops an orchestrator whose FLOW_CONTROL_LIMITS is wrong at boot, naming the variable, the limit and the problem', async () => {
    const bad = '{"agent:test-provider-call/provider":{"rate":{"requests":-1,"periodSeconds":1}}}';
    await expect(AppProcess.start('orchestrator', { ...env, FLOW_CONTROL_LIMITS: bad })).rejects.toThrow(
      /FLOW_CONTROL_LIMITS[^\n]*"agent:test-provider-call\/provider" rate\.requests must be a number above 0, not -1/,
    );
  }, 120_000);

  it('keeps the provider under the agent rate and concurrency and the workflow per-site limit across two workers; every step waits instead of failing', async () => {
    const response = await api.post('/workflow-definitions', {
      type: 'PROVIDER',
      description: 'three calls to the provider',
      steps: ['p1', 'p2', 'p3'].map((id) => ({ id, agent: 'test-provider-call', dependsOn: [] })),
      limits: [{ name: 'per-site', key: ['input.site'], concurrency: { slots: 1, leaseSeconds: 10 } }],
    });
    expect(response.status).toBe(201);
    const sites = ['x', 'y', 'x', 'y', 'x', 'y'];
    const workflowIds: string[] = [];
    for (const site of sites) {
      const workflowId = await api.startWorkflow({
        type: 'PROVIDER',
        input: { providerUrl: provider.url, site },
        sessionId: 'limits',
      });
      await client.socket.emitWithAck('workflow.subscribe', { workflowId });
      workflowIds.push(workflowId);
    }
    const finished = await Promise.all(workflowIds.map((id) => client.finished(id, 120_000)));
    expect(finished.map((event) => event.type)).toEqual(workflowIds.map(() => WorkflowEventType.Complete));

    // Each step called the provider once: nothing failed and was retried.
    expect(provider.calls).toHaveLength(18);
    expect(new Set(provider.calls.map((call) => `${call.workflowId}/${call.stepId}`)).size).toBe(18);
    expect(provider.maxInFlight).toBeLessThanOrEqual(PROVIDER_CONCURRENCY.slots);
    expect(provider.maxInFlight).toBeGreaterThan(1);
    expect(provider.maxInFlightBySite.get('x')).toBe(1);
    expect(provider.maxInFlightBySite.get('y')).toBe(1);
    // GCRA's bound over a period: `requests` plus the burst less one, counted on when the calls
    // were admitted. Each admission lies between its job's taking (BullMQ's processedOn, written
    // before the worker asks the gate) and the call's arrival here, however loaded the machine.
    const queue = agentStepsQueue('test-provider-call', 1);
    const takenAt = new Map<string, number>();
    for (const call of provider.calls) {
      const job = namespace.jobKey(queue, `${call.workflowId}.${call.stepId}.1`);
      takenAt.set(`${call.workflowId}/${call.stepId}`, Number(await redis.hget(job, 'processedOn')));
    }
    expect([...takenAt.values()].every((at) => at > 0)).toBe(true);
    expect(
      provider.maxSurelyAdmittedWithin(PROVIDER_RATE.periodSeconds * 1000, (call) =>
        takenAt.get(`${call.workflowId}/${call.stepId}`)!,
      ),
    ).toBeLessThanOrEqual(PROVIDER_RATE.requests + PROVIDER_RATE.burst - 1);
    for (const workflowId of workflowIds) {
      const state = await api.json<WorkflowState>(`/workflows/${workflowId}`);
      expect(state.status).toBe(WorkflowStatus.Completed);
      expect(state.steps.map((step) => step.attempts)).toEqual([1, 1, 1]);
    }

    // While they waited their steps said why, live.
    const reasons = client.events
      .filter(
        (event): event is AgentStatusEvent =>
          event.type === WorkflowEventType.AgentStatus && !!event.waitingFor,
      )
      .map((event) => event.waitingFor!);
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons)
      expect(reason).toMatch(
        /^(rate limit agent=test-provider-call: 5\/s \(agent:test-provider-call\/provider\)|concurrency limit agent=test-provider-call: 2 at once \(agent:test-provider-call\/provider\)|concurrency limit input\.site=[xy]: 1 at once \(workflow:PROVIDER\/per-site\))$/,
      );
    const metrics = await Promise.all(
      orchestrators.map((app) => fetch(`${app.url}/metrics`).then((r) => r.text())),
    );
    expect(metrics.join('\n')).toMatch(
      /flow_control_steps_delayed_total\{agent="test-provider-call",kind="(rate|concurrency)"[^}]*\} [1-9]/,
    );
  }, 180_000);

  it('runs a step whose limit key names a missing input field under the shared "-" budget, and logs it', async () => {
    const workflowId = await api.startWorkflow({
      type: 'PROVIDER',
      input: { providerUrl: provider.url },
      sessionId: 'limits',
    });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId });
    expect((await client.finished(workflowId, 60_000)).type).toBe(WorkflowEventType.Complete);
    expect(orchestrators.map((app) => app.logs).join('\n')).toContain(
      'limit workflow:PROVIDER/per-site: the step has no input.site; it shares the budget of every step without (input.site=-)',
    );
  }, 90_000);

  it('lets a tenant that starts one workflow through while another has hundreds queued', async () => {
    const graph = producer.graph({
      type: 'FAIR',
      description: 'one step',
      steps: [{ id: 'a', agent: 'test-echo', dependsOn: [] }],
    });
    const input = { sleepMs: { a: 200 } };
    const backlog = await startMany(500, () =>
      producer.start(graph, input, undefined, { tenantId: 'tenant-a' }),
    );
    const single = await producer.start(graph, input, undefined, { tenantId: 'tenant-b' });
    await producer.finished(single);
    const aheadOfB = finishedOrder
      .slice(0, finishedOrder.indexOf(single))
      .filter((id) => backlog.includes(id));
    // First in, first out, B would finish after all 500; its fair band puts it among the first.
    expect(500 - aheadOfB.length).toBeGreaterThanOrEqual(250);
    await Promise.all(backlog.map((id) => producer.finished(id)));
  }, 300_000);

  it('runs a priority-1 workflow of a tenant ahead of its queued priority-3 ones, and a priority-5 one after them', async () => {
    const graph = producer.graph({
      type: 'PRIO',
      description: 'one step',
      steps: [{ id: 'a', agent: 'test-echo', dependsOn: [] }],
    });
    const input = { sleepMs: { a: 200 } };
    const normal = await startMany(300, () =>
      producer.start(graph, input, undefined, { tenantId: 'tenant-p', priority: 3 }),
    );
    const low = await producer.start(graph, input, undefined, { tenantId: 'tenant-p', priority: 5 });
    const urgent = await producer.start(graph, input, undefined, { tenantId: 'tenant-p', priority: 1 });
    await Promise.all([...normal, low, urgent].map((id) => producer.finished(id)));
    const position = (id: string) => finishedOrder.indexOf(id);
    const normalBefore = (id: string) => normal.filter((other) => position(other) < position(id)).length;
    expect(normalBefore(urgent)).toBeLessThanOrEqual(150);
    expect(normalBefore(low)).toBeGreaterThanOrEqual(250);
  }, 300_000);

  it('hands a claimed successor that may not begin back to its queue, waiting, and runs it once the slot is free', async () => {
    const holding = producer.graph({
      type: 'HOLD',
      description: 'one step',
      steps: [{ id: 'h', agent: 'test-hold', dependsOn: [] }],
    });
    const chain = producer.graph({
      type: 'ECHO_THEN_HOLD',
      description: 'an echo, then a step the finishing worker claims',
      steps: [
        { id: 'e', agent: 'test-echo', dependsOn: [] },
        { id: 'h', agent: 'test-hold', dependsOn: ['e'] },
      ],
    });
    const holder = await producer.start(holding, { holdMs: 1500 });
    await waitFor(
      async () => ((await redis.llen(holdStartedKey(namespace.redisPrefix, holder))) > 0 ? true : undefined),
      'the holder to take the only slot',
    );
    const claimed = await producer.start(chain, {});
    expect((await producer.finished(claimed)).type).toBe(WorkflowEventType.Complete);
    // Its successor was begun by the claim, handed back READY with the reason, and run once.
    const forStep = statuses.filter((event) => event.workflowId === claimed && event.stepId === 'h');
    expect(forStep.map((event) => [event.lifecycle, event.waitingFor ?? null])).toEqual([
      [AgentLifecycle.Registered, null],
      [AgentLifecycle.Ready, null],
      [AgentLifecycle.Executing, null],
      [AgentLifecycle.Ready, 'concurrency limit agent=test-hold: 1 at once (agent:test-hold/single)'],
      [AgentLifecycle.Executing, null],
      [AgentLifecycle.Completed, null],
    ]);
    const state = await producer.store.get(claimed);
    expect(state?.steps.map((step) => [step.stepId, step.attempts])).toEqual([
      ['e', 1],
      ['h', 1],
    ]);
    expect(await redis.llen(holdStartedKey(namespace.redisPrefix, claimed))).toBe(1);
    expect((await producer.finished(holder)).type).toBe(WorkflowEventType.Complete);
  }, 120_000);

  it('runs both branches a step readies on the worker that finished it: neither goes through its queue', async () => {
    const branches = producer.graph({
      type: 'ECHO_THEN_TWO',
      description: 'an echo, then two echoes after it',
      steps: [
        { id: 'e', agent: 'test-echo', dependsOn: [] },
        { id: 'x', agent: 'test-echo', dependsOn: ['e'] },
        { id: 'y', agent: 'test-echo', dependsOn: ['e'] },
      ],
    });
    const forkedBefore = await begunSteps('test-echo', 'fork');
    const workflowId = await producer.start(branches, {});
    expect((await producer.finished(workflowId)).type).toBe(WorkflowEventType.Complete);
    expect(await begunSteps('test-echo', 'fork')).toBe(forkedBefore + 1);
    // One branch is claimed for the job's chain, the other forked beside it: the root is the only job.
    const queue = agentStepsQueue('test-echo', 1);
    const jobKeys = (stepId: string) =>
      // In whichever partition: this spec runs with one, and on a Redis Cluster with more.
      Array.from(
        { length: Math.max(...STEP_QUEUE_PARTITION_COUNTS) },
        (_, partition) =>
          `${queueKeyPrefix(namespace.redisPrefix, queue, partition)}:${queue}:${workflowId}.${stepId}.1`,
      );
    const found = async (stepId: string) =>
      (await Promise.all(jobKeys(stepId).map((key) => redis.exists(key)))).reduce((sum, one) => sum + one, 0);
    expect([await found('e'), await found('x'), await found('y')]).toEqual([1, 0, 0]);
    const state = await producer.store.get(workflowId);
    expect(state?.steps.map((step) => [step.stepId, step.lifecycle, step.attempts])).toEqual([
      ['e', AgentLifecycle.Completed, 1],
      ['x', AgentLifecycle.Completed, 1],
      ['y', AgentLifecycle.Completed, 1],
    ]);
  });

  it('sends a branch that may not begin beside its sibling to its queue, waiting, and runs each branch once', async () => {
    const branches = producer.graph({
      type: 'ECHO_THEN_TWO_HOLDS',
      description: 'an echo, then two steps of the single-slot agent after it',
      steps: [
        { id: 'e', agent: 'test-echo', dependsOn: [] },
        { id: 'h1', agent: 'test-hold', dependsOn: ['e'] },
        { id: 'h2', agent: 'test-hold', dependsOn: ['e'] },
      ],
    });
    const workflowId = await producer.start(branches, { holdMs: 300 });
    expect((await producer.finished(workflowId)).type).toBe(WorkflowEventType.Complete);
    // Whichever branch asked second for the agent's only slot waited for it, saying why.
    const waited = statuses.filter((event) => event.workflowId === workflowId && event.waitingFor);
    expect(new Set(waited.map((event) => event.stepId)).size).toBe(1);
    expect(waited[0].waitingFor).toBe(
      'concurrency limit agent=test-hold: 1 at once (agent:test-hold/single)',
    );
    const state = await producer.store.get(workflowId);
    expect(state?.steps.map((step) => [step.stepId, step.lifecycle, step.attempts])).toEqual([
      ['e', AgentLifecycle.Completed, 1],
      ['h1', AgentLifecycle.Completed, 1],
      ['h2', AgentLifecycle.Completed, 1],
    ]);
    expect(await redis.llen(holdStartedKey(namespace.redisPrefix, workflowId))).toBe(2);
  });

  it('passes the only slot from each step of a chain to the successor it claims: no step waits', async () => {
    const chain = producer.graph({
      type: 'HOLD_CHAIN',
      description: 'three steps of the single-slot agent, each after the one before',
      steps: [
        { id: 'a', agent: 'test-hold', dependsOn: [] },
        { id: 'b', agent: 'test-hold', dependsOn: ['a'] },
        { id: 'c', agent: 'test-hold', dependsOn: ['b'] },
      ],
    });
    const workflowId = await producer.start(chain, { holdMs: 50 });
    expect((await producer.finished(workflowId)).type).toBe(WorkflowEventType.Complete);
    // Each step gives its slot back before its successor (asked about while the completion
    // travels) takes it: none is handed back to wait for the slot its own predecessor held.
    const waits = statuses.filter((event) => event.workflowId === workflowId && event.waitingFor);
    expect(waits).toEqual([]);
    const state = await producer.store.get(workflowId);
    expect(state?.steps.map((step) => [step.stepId, step.lifecycle, step.attempts])).toEqual([
      ['a', AgentLifecycle.Completed, 1],
      ['b', AgentLifecycle.Completed, 1],
      ['c', AgentLifecycle.Completed, 1],
    ]);
    expect(await redis.llen(holdStartedKey(namespace.redisPrefix, workflowId))).toBe(3);
  });

  it('gives back the slot of a worker killed while holding it when its lease ends, and both workflows complete', async () => {
    const graph = producer.graph({
      type: 'HOLD',
      description: 'one step',
      steps: [{ id: 'h', agent: 'test-hold', dependsOn: [] }],
    });
    const first = await producer.start(graph, { holdMs: 60_000 });
    const holder = await waitFor(async () => {
      const [entry] = await redis.lrange(holdStartedKey(namespace.redisPrefix, first), 0, 0);
      return entry ? (JSON.parse(entry) as { pid: number; startedAt: number }) : undefined;
    }, 'the first step to hold the slot');
    const victim = orchestrators.find((app) => app.child.pid === holder.pid)!;
    expect(victim).toBeDefined();
    victim.child.kill('SIGKILL');
    await victim.exited();
    const killedAt = Date.now();
    // When the dead holder's lease ends, by Redis's clock, which decides when the slot is free.
    const slots = new FlowControlKeys(namespace.redisPrefix).slots(
      'agent:test-hold/single',
      'agent=test-hold',
    );
    const leases = await redis.zrange(slots, 0, -1, 'WITHSCORES');
    expect(leases).toHaveLength(2);
    const leaseEndsAt = Number(leases[1]);

    // The second waits for the dead holder's slot, saying so, and gets it when the lease ends.
    const second = await producer.start(graph, { holdMs: 10 });
    expect((await producer.finished(second)).type).toBe(WorkflowEventType.Complete);
    const [secondStart] = (await redis.lrange(holdStartedKey(namespace.redisPrefix, second), 0, -1)).map(
      (entry) => JSON.parse(entry) as { startedAt: number },
    );
    // The slot was taken again no sooner than the dead holder's lease ran out (1 ms: the clocks'
    // rounding), and not long after: a lease is renewed well before it ends, so it ends within one
    // lease of the kill.
    expect(secondStart.startedAt).toBeGreaterThanOrEqual(leaseEndsAt - 1);
    expect(leaseEndsAt).toBeLessThanOrEqual(killedAt + HOLD_LEASE_SECONDS * 1000 + 1);
    expect(secondStart.startedAt - killedAt).toBeLessThan(HOLD_LEASE_SECONDS * 1000 + 5000);
    const secondState = await producer.store.get(second);
    expect(secondState?.steps[0].attempts).toBe(1);
    // The first, its job stalled, is run again by the surviving worker once the slot is free.
    expect(waiting.find((event) => event.workflowId === second)?.waitingFor).toBe(
      'concurrency limit agent=test-hold: 1 at once (agent:test-hold/single)',
    );
    // The first, its job stalled, is run again by the surviving worker once the slot is free.
    expect((await producer.finished(first)).type).toBe(WorkflowEventType.Complete);
  }, 180_000);
});

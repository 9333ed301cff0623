import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AgentLifecycle,
  AgentStatusEvent,
  CreatedApiKey,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowStatus,
} from '@app/contracts';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { TEST_ADMIN_KEY, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';

const STEPS = ['one', 'two', 'three', 'four', 'five', 'six'];

/** Six test-echo steps in a chain, each sleeping a little so a workflow takes a couple of seconds. */
const CHAIN = {
  type: 'TEST_CHAIN',
  description: 'six echo steps in a row',
  steps: STEPS.map((id, index) => ({
    id,
    agent: 'test-echo',
    dependsOn: index === 0 ? [] : [STEPS[index - 1]],
  })),
};
const chainInput = { sleepMs: Object.fromEntries(STEPS.map((id) => [id, 250])) };

describe('gateway replicas: shared rooms, and replay after a reconnect', () => {
  const namespace = new TestNamespace();
  let sitesDir: string;
  let apps: AppProcess[] = [];
  let gatewayA: AppProcess;
  let gatewayB: AppProcess;
  let api: ApiClient;
  const clients: WorkflowClient[] = [];
  const connect = async (gateway: AppProcess, token?: string) => {
    const client = new WorkflowClient(gateway.url, { token });
    clients.push(client);
    await client.connected();
    return client;
  };
  const eventLog = (workflowId: string) =>
    api.json<WorkflowEvent[]>(`/workflows/${workflowId}/events?after=0`);

  beforeAll(async () => {
    await namespace.prepare();
    sitesDir = await mkdtemp(join(tmpdir(), 'sites-'));
    const env = namespace.env({ SITES_DIR: sitesDir, AGENT_MODULES: 'test/support/test-agents.ts' });
    apps = await Promise.all([
      AppProcess.start('gateway', env),
      AppProcess.start('gateway', env),
      AppProcess.start('orchestrator', env),
      AppProcess.start('metrics', env),
    ]);
    [gatewayA, gatewayB] = apps;
    expect(gatewayA.port).not.toBe(gatewayB.port);
    api = new ApiClient(gatewayA.url, TEST_ADMIN_KEY);
    const registered = await api.post('/workflow-definitions', CHAIN);
    expect(registered.status).toBe(201);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(apps.map((app) => app.stop()));
    await namespace.dispose();
    await rm(sitesDir, { recursive: true, force: true });
  });

  it('a workflow started through replica A over Socket.IO is watched to completion from replica B', async () => {
    const starter = await connect(gatewayA);
    const watcher = await connect(gatewayB);
    const started = (await starter.socket.emitWithAck('workflow.start', {
      type: CHAIN.type,
      input: chainInput,
      sessionId: 'scale-out',
    })) as { ok: true; workflowId: string };
    expect(started).toEqual({ ok: true, workflowId: expect.any(String) });
    const { workflowId } = started;
    expect(await watcher.socket.emitWithAck('workflow.subscribe', { workflowId })).toMatchObject({
      ok: true,
    });

    const final = await watcher.finished(workflowId);
    expect(final).toMatchObject({ type: WorkflowEventType.Complete, status: WorkflowStatus.Completed });
    await starter.finished(workflowId);
    const log = await eventLog(workflowId);
    expect(watcher.of(workflowId)).toEqual(log);
    expect(starter.of(workflowId)).toEqual(log);
  });

  it('the replicas share rooms through Redis: revoking a key on A disconnects its socket on B', async () => {
    const response = await api.post('/admin/keys', {
      tenantId: 'acme',
      role: 'client',
      name: 'revoked across',
    });
    const key = (await response.json()) as CreatedApiKey;
    const holder = await connect(gatewayB, key.key);
    const disconnected = new Promise((resolve) => holder.socket.once('disconnect', resolve));
    expect((await api.request('DELETE', `/admin/keys/${key.id}`)).status).toBe(204);
    expect(await disconnected).toBe('io server disconnect');
  });

  it('a client that disconnects halfway and resubscribes with its last event id ends with exactly the full sequence', async () => {
    const workflowId = await api.startWorkflow({ type: CHAIN.type, input: chainInput, sessionId: 'replay' });
    const first = await connect(gatewayA);
    expect(await first.socket.emitWithAck('workflow.subscribe', { workflowId })).toMatchObject({ ok: true });
    await first.next(
      (event) =>
        event.workflowId === workflowId &&
        event.type === WorkflowEventType.AgentStatus &&
        (event as AgentStatusEvent).stepId === 'three' &&
        (event as AgentStatusEvent).lifecycle === AgentLifecycle.Completed,
    );
    first.close();
    const before = first.of(workflowId);
    const lastEventId = before.at(-1)!.eventId;
    // Let the workflow move on while nobody listens, so the replay has something to replay.
    await waitFor(
      async () => ((await eventLog(workflowId)).length > lastEventId + 2 ? true : undefined),
      'events while disconnected',
    );

    const second = await connect(gatewayB);
    expect(await second.socket.emitWithAck('workflow.subscribe', { workflowId, lastEventId })).toMatchObject({
      ok: true,
    });
    const final = await second.finished(workflowId);
    expect(final).toMatchObject({ type: WorkflowEventType.Complete });
    const after = second.of(workflowId);
    expect(after[0].eventId).toBe(lastEventId + 1);

    const all = [...before, ...after];
    expect(all.map((event) => event.eventId)).toEqual(all.map((_, index) => index + 1));
    expect(all).toEqual(await eventLog(workflowId));
  });

  // Last: it stops replica A.
  it('a replica told to stop closes its sockets itself at once, so clients move on; the other replica keeps its own', async () => {
    const onA = await connect(gatewayA);
    const onB = await connect(gatewayB);
    const reasonOnB: string[] = [];
    onB.socket.on('disconnect', (reason) => reasonOnB.push(reason));
    const disconnected = new Promise((resolve) => onA.socket.once('disconnect', resolve));
    const stopped = gatewayA.stop();
    // Closed by the server (a DISCONNECT packet), not found dead when the process ended.
    expect(await disconnected).toBe('io server disconnect');
    expect((await stopped).isKilled).toBe(false);
    expect(await onB.socket.timeout(5_000).emitWithAck('ping', {})).toMatchObject({ ok: true });
    expect(reasonOnB).toEqual([]);
  });
});

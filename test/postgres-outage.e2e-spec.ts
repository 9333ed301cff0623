import { randomUUID } from 'node:crypto';
import { ApiClient } from './support/api-client';
import { AppProcess, HealthReport } from './support/app-process';
import { TcpProxy } from './support/tcp-proxy';
import { TEST_ADMIN_KEY, TEST_DATABASE_URL, TestNamespace } from './support/test-environment';
import { waitFor } from './support/wait-for';

/**
 * A gateway reaching PostgreSQL through a proxy the test cuts: the shared server keeps running,
 * the gateway sees its connections reset and new ones refused.
 */
describe('the gateway while PostgreSQL is out of reach', () => {
  const namespace = new TestNamespace();
  let proxy: TcpProxy;
  let gateway: AppProcess;
  let api: ApiClient;

  beforeAll(async () => {
    await namespace.prepare();
    const target = new URL(TEST_DATABASE_URL);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    gateway = await AppProcess.start(
      'gateway',
      namespace.env({ DATABASE_URL: TcpProxy.through(TEST_DATABASE_URL, proxy) }),
    );
    api = new ApiClient(gateway.url, TEST_ADMIN_KEY);
  });

  afterAll(async () => {
    await gateway?.stop();
    await proxy?.stop();
    await namespace.dispose();
  });

  it('answers a workflow’s logs with a 503 that names PostgreSQL, as /health does, and 200 once it is back', async () => {
    const workflowId = await api.startWorkflow({
      type: 'CREATE_SITE',
      input: { request: 'Create a blog about mountain cooking' },
      sessionId: `outage-${randomUUID()}`,
    });
    expect((await api.get(`/workflows/${workflowId}/logs`)).status).toBe(200);

    await proxy.cut();
    // A workflow live in Redis (its logs are in PostgreSQL), and one only PostgreSQL could know.
    for (const id of [workflowId, randomUUID()]) {
      const response = await api.get(`/workflows/${id}/logs`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: expect.stringMatching(/^PostgreSQL is unavailable/) as string,
      });
    }
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as HealthReport).details.postgres.status).toBe('down');

    await proxy.restore();
    await waitFor(
      async () => ((await api.get(`/workflows/${workflowId}/logs`)).status === 200 ? true : undefined),
      'the logs answering again',
    );
    expect(gateway.logs).not.toMatch(/"level":50.*ECONNREFUSED/);
  });
});

import { CreatedApiKey, METRICS_EXECUTIONS_QUEUE, METRICS_LOGS_QUEUE } from '@app/contracts';
import { Job, Queue, QueueEvents, Worker } from 'bullmq';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { TEST_ADMIN_KEY, TestNamespace } from './support/test-environment';

interface BoardQueues {
  queues: { name: string; counts: Record<string, number>; jobs: { id: string; failedReason?: string }[] }[];
}

/**
 * Bull Board on the gateway, behind the admin role: an admin key opens a short session cookie
 * (a browser cannot send the Bearer header), with which the board shows the queues and a failed job.
 */
describe('Bull Board on the gateway', () => {
  const namespace = new TestNamespace();
  let gateway: AppProcess;
  let admin: ApiClient;
  let failedJob: Job;

  beforeAll(async () => {
    await namespace.prepare();
    gateway = await AppProcess.start('gateway', namespace.env());
    admin = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    // A job that failed, as the operator would come to look at it (no metrics service consumes here).
    const options = namespace.queueOptions(METRICS_LOGS_QUEUE);
    const queue = new Queue(METRICS_LOGS_QUEUE, options);
    const events = new QueueEvents(METRICS_LOGS_QUEUE, options);
    const worker = new Worker(
      METRICS_LOGS_QUEUE,
      () => Promise.reject(new Error('PostgreSQL refused the batch')),
      options,
    );
    try {
      await events.waitUntilReady();
      failedJob = await queue.add('PersistLogs', { entries: [] });
      await failedJob.waitUntilFinished(events).catch(() => undefined);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
  });

  afterAll(async () => {
    await gateway?.stop();
    await namespace.dispose();
  });

  const openSession = () => admin.post('/admin/queues/board-session');
  const cookieOf = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0];
  const board = (path: string, cookie?: string) =>
    fetch(`${gateway.url}/admin/queues/board${path}`, { headers: cookie ? { cookie } : {} });

  it('refuses the board without a session, or with a made-up one', async () => {
    expect((await board('')).status).toBe(401);
    expect((await board('/api/queues')).status).toBe(401);
    expect((await board('/api/queues', `ao_queue_board=${'x'.repeat(43)}`)).status).toBe(401);
  });

  it('opens a session only for an admin key, as an HttpOnly SameSite=Strict cookie on the board’s path', async () => {
    expect((await admin.as(null).post('/admin/queues/board-session')).status).toBe(401);
    const created = (await (
      await admin.post('/admin/keys', { tenantId: 'acme', role: 'client', name: 'client' })
    ).json()) as CreatedApiKey;
    expect((await admin.as(created.key).post('/admin/queues/board-session')).status).toBe(403);

    const response = await openSession();
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ url: '/admin/queues/board' });
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^ao_queue_board=[\w-]{43};/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/admin\/queues\/board/);
    expect(cookie).toMatch(/; Max-Age=900/);
  });

  it('shows the managed queues and the failed job, with why it failed, to a session', async () => {
    const cookie = cookieOf(await openSession());
    const page = await board('', cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    // Its scripts load from under the board's path (its <base>), where the cookie is sent.
    const script = /<script defer src="([^"]+)"/.exec(html)?.[1];
    expect(html).toMatch(/<base href="\/admin\/queues\/board\/?"/);
    expect((await board(`/${script}`, cookie)).status).toBe(200);

    const response = await board(`/api/queues?activeQueue=${METRICS_LOGS_QUEUE}&status=failed`, cookie);
    expect(response.status).toBe(200);
    const { queues } = (await response.json()) as BoardQueues;
    expect(queues.map((queue) => queue.name).sort()).toEqual(
      [METRICS_EXECUTIONS_QUEUE, METRICS_LOGS_QUEUE].sort(),
    );
    const logs = queues.find((queue) => queue.name === METRICS_LOGS_QUEUE);
    expect(logs?.counts.failed).toBe(1);
    expect(logs?.jobs).toEqual([
      expect.objectContaining({ id: failedJob.id, failedReason: 'PostgreSQL refused the batch' }),
    ]);
  });
});

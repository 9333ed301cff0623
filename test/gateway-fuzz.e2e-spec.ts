import fc from 'fast-check';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { TEST_ADMIN_KEY, TestNamespace } from './support/test-environment';
import { WorkflowClient } from './support/workflow-client';

/** Runs per property: enough to find the classes of bad input, few enough to finish in seconds. */
const RUNS = 200;

/** Any JSON value, nested, with the field names the DTOs use so validation gets past the first check. */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, '', 'CREATE_SITE', '__proto__'),
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        fc.constantFrom('type', 'input', 'sessionId', 'preferences', 'steps', 'constructor', '__proto__'),
        fc.string(),
      ),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

/** Bodies as text: JSON of anything, and text that is not JSON at all. */
const rawBody = fc.oneof(
  jsonValue.map((value) => JSON.stringify(value) ?? 'null'),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '{',
    '{"type":',
    '[1,2',
    '{"a":1}}',
    '\u0000',
    '{"__proto__":{"polluted":1}}',
    '{"type":"CREATE_SITE","sessionId":"s","input":{"x":{"constructor":" "}}}',
  ),
);

/** Path segments that are not ids: traversal, encodings, long and odd text. */
const idLike = fc.oneof(
  fc.uuid(),
  fc.string({ maxLength: 80 }).map(encodeURIComponent),
  fc.constantFrom('..', '%2e%2e', '%ff', '%', 'a%20b', 'x'.repeat(2000), '0', '-1', 'null'),
);

const printable = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 300,
});

describe('gateway fuzz: malformed input gets a clear 4xx or error ack, never a 5xx or a crash', () => {
  const namespace = new TestNamespace();
  let gateway: AppProcess;
  let api: ApiClient;

  beforeAll(async () => {
    await namespace.prepare();
    gateway = await AppProcess.start('gateway', namespace.env({ RATE_LIMIT_PER_MINUTE: '100000' }));
    api = new ApiClient(gateway.url, TEST_ADMIN_KEY);
  });

  afterAll(async () => {
    await gateway?.stop();
    await namespace.dispose();
  });

  afterEach(async () => {
    expect(gateway.child.exitCode).toBeNull();
    expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
  });

  /** A 2xx, or a 4xx with a JSON body that says what is wrong; never a 5xx. */
  async function expectClearAnswer(response: Response, what: string): Promise<void> {
    const text = await response.text();
    if (response.status >= 500) throw new Error(`${what}: ${response.status} ${text}`);
    if (response.status >= 400) {
      const body = JSON.parse(text) as { message?: unknown; statusCode?: number };
      if (body.statusCode !== response.status || !body.message)
        throw new Error(`${what}: unclear ${response.status} answer ${text}`);
      expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
    }
  }

  it('bodies of every shape to every route that takes one', async () => {
    const routes = ['/workflows', '/workflow-definitions', '/admin/keys'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), rawBody, async (route, body) => {
        await expectClearAnswer(await api.request('POST', route, body), `POST ${route} ${body}`);
      }),
      {
        numRuns: RUNS,
        examples: [['/workflows', '{"type":"A","sessionId":"s","input":{"x":{"constructor":" "}}}']],
      },
    );
  });

  it('odd ids, paths and query strings', async () => {
    const templates = [
      '/workflows/:id',
      '/workflows/:id/logs?limit=:id',
      '/workflows/:id/events?after=:id',
      '/workflows/:id/cancel',
      '/workflows?status=:id&type=:id&tenantId=:id&q=:id&from=:id&cursor=:id',
      '/workflow-definitions/:id',
      '/admin/keys/:id',
      '/admin/queues/:id/pause',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...templates),
        idLike,
        fc.constantFrom('GET', 'POST', 'DELETE'),
        async (template, id, method) => {
          const path = template.replace(/:id/g, id);
          await expectClearAnswer(await api.request(method, path), `${method} ${path}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('odd headers: Authorization, Idempotency-Key, Content-Type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          authorization: fc.oneof(
            printable,
            printable.map((text) => `Bearer ${text}`),
            fc.constant(`Bearer ${TEST_ADMIN_KEY}`),
          ),
          'idempotency-key': printable,
          'content-type': fc.constantFrom(
            'application/json',
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/json; charset=latin1',
            'multipart/form-data',
          ),
        }),
        rawBody,
        async (headers, body) => {
          const response = await api.as(null).request('POST', '/workflows', body, headers);
          await expectClearAnswer(response, `POST /workflows ${JSON.stringify(headers)} ${body}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('socket payloads of every shape to every event: always an ack with ok, or an error with code and message', async () => {
    const client = new WorkflowClient(gateway.url);
    await client.connected();
    try {
      const events = [
        'workflow.start',
        'workflow.subscribe',
        'workflow.unsubscribe',
        'workflow.cancel',
        'ping',
        'workflow.explode',
        'error',
        'constructor',
      ];
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...events), jsonValue, async (event, payload) => {
          const ack = (await client.socket.timeout(5000).emitWithAck(event, payload)) as {
            ok?: unknown;
            error?: { code?: unknown; message?: unknown };
          };
          expect(typeof ack.ok).toBe('boolean');
          if (!ack.ok) {
            expect(ack.error).toEqual({ code: expect.any(String), message: expect.any(String) });
            expect(ack.error?.code).not.toBe('INTERNAL');
          }
        }),
        { numRuns: RUNS * 2, examples: [['workflow.start', { '': { constructor: ' ' } }]] },
      );
      expect(client.socket.connected).toBe(true);
    } finally {
      client.close();
    }
  });
});

import { randomUUID } from 'node:crypto';
import {
  ClientSocketEvent,
  InputError,
  SocketAck,
  AGENT_STEPS_QUEUE_PREFIX,
  WorkflowDefinition,
  WorkflowState,
  WorkflowType,
} from '@app/contracts';
import { Queue } from 'bullmq';
import { WorkflowKeys } from '@app/workflow-store';
import { RedisClient } from '@app/redis';
import { announceWorker } from './support/announced-worker';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { keysMentioning } from './support/redis-contents';
import { TEST_ADMIN_KEY, TestNamespace, connectTestRedis, keysUnder } from './support/test-environment';
import { WorkflowClient } from './support/workflow-client';

/** A 422 as the REST API sends it. */
interface InvalidInputAnswer {
  statusCode: number;
  error: string;
  message: string;
  errors: InputError[];
}

const SITE_ID_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$';

/** Every kind of bad input of each built-in type, with exactly what the answer must name. */
const REQUEST_CASES: Array<[string, Record<string, unknown>, InputError[]]> = [
  ['no request', {}, [{ path: '/request', message: 'is required' }]],
  ['a request that is no string', { request: 42 }, [{ path: '/request', message: 'must be string' }]],
  [
    'an empty request',
    { request: '' },
    [
      { path: '/request', message: 'must NOT have fewer than 1 characters' },
      { path: '/request', message: 'must match pattern "\\S"' },
    ],
  ],
  [
    'a request of spaces only',
    { request: '   ' },
    [{ path: '/request', message: 'must match pattern "\\S"' }],
  ],
  [
    'a request too long',
    { request: `Create a blog about tea. ${'Tea is lovely. '.repeat(400)}` },
    [{ path: '/request', message: 'must NOT have more than 2000 characters' }],
  ],
  [
    'an unknown field',
    { request: 'Create a blog about tea', colour: 'green' },
    [{ path: '/colour', message: 'is not allowed' }],
  ],
  [
    'user_input and request that differ',
    { request: 'Create a blog about tea', user_input: 'Create a shop for tea' },
    [{ path: '/user_input', message: 'is another name of /request and differs from it; send one' }],
  ],
  [
    'several wrong fields at once',
    { user_input: 7, colour: 'green' },
    [
      { path: '/colour', message: 'is not allowed' },
      { path: '/request', message: 'must be string' },
    ],
  ],
];
const REFERENCE_CASES: Array<[string, Record<string, unknown>, InputError[]]> = [
  ['no site', {}, [{ path: '/siteId', message: 'is required' }]],
  ['a site id that is no string', { siteId: 7 }, [{ path: '/siteId', message: 'must be string' }]],
  [
    'an empty site id',
    { siteId: '' },
    [{ path: '/siteId', message: `must match pattern "${SITE_ID_PATTERN}"` }],
  ],
  [
    'a site id too long',
    { siteId: 'a'.repeat(81) },
    [{ path: '/siteId', message: `must match pattern "${SITE_ID_PATTERN}"` }],
  ],
  [
    'a path for a site id',
    { siteId: '../etc' },
    [{ path: '/siteId', message: `must match pattern "${SITE_ID_PATTERN}"` }],
  ],
  ['version 0', { siteId: 'tea-blog', version: 0 }, [{ path: '/version', message: 'must be >= 1' }]],
  [
    'a version as text',
    { siteId: 'tea-blog', version: '2' },
    [{ path: '/version', message: 'must be integer,null' }],
  ],
  [
    'a misspelt version',
    { siteId: 'tea-blog', verison: 2 },
    [{ path: '/verison', message: 'is not allowed' }],
  ],
  [
    'a request instead of a site',
    { request: 'Audit my site' },
    [
      { path: '/siteId', message: 'is required' },
      { path: '/request', message: 'is not allowed' },
    ],
  ],
];
const BAD_INPUTS = [
  ...[WorkflowType.CreateSite, WorkflowType.UpdateSite].flatMap((type) =>
    REQUEST_CASES.map(([what, input, errors]) => ({ type, what, input, errors })),
  ),
  ...[WorkflowType.AuditOnly, WorkflowType.DeployOnly].flatMap((type) =>
    REFERENCE_CASES.map(([what, input, errors]) => ({ type, what, input, errors })),
  ),
];

/** A registered type's own schema: an order of a product. */
const ORDER_SCHEMA = {
  type: 'object',
  properties: {
    sku: { type: 'string', minLength: 1, maxLength: 10 },
    quantity: { type: 'integer', minimum: 1 },
  },
  required: ['sku', 'quantity'],
  additionalProperties: false,
};

describe('gateway: a workflow input is checked against its type schema before anything is recorded', () => {
  const namespace = new TestNamespace();
  let gateway: AppProcess;
  let api: ApiClient;
  let client: WorkflowClient;
  let redis: RedisClient;

  /** Jobs of every agent's step queue; the gateway runs alone here, so a queued step stays queued. */
  const queuedJobs = async (): Promise<number> => {
    // A queue's keys are `<prefix>:{<queue>}:<queue>:...` (queueKeyPrefix); its `meta` says it exists.
    const names = (await keysUnder(redis, namespace.redisPrefix))
      .map((key) => /^[^:]+:\{([^}]+)\}:[^:]+:meta$/.exec(key)?.[1])
      .filter((name): name is string => name?.startsWith(AGENT_STEPS_QUEUE_PREFIX) ?? false);
    let total = 0;
    for (const name of names) {
      const queue = new Queue(name, namespace.queueOptions(name));
      total += Object.values(await queue.getJobCounts()).reduce((sum, count) => sum + count, 0);
      await queue.close();
    }
    return total;
  };
  /** Status changes in the store's outbox: recording a workflow adds one (nothing consumes it here). */
  const workflowCount = async (): Promise<number> => {
    const keys = new WorkflowKeys(namespace.redisPrefix);
    const lengths = await Promise.all(keys.allShards().map((shard) => redis.xlen(keys.changes(shard))));
    return lengths.reduce((sum, length) => sum + length, 0);
  };

  /**
   * Runs `start` (a request that must be refused), then shows it left nothing: no key under the
   * namespace mentions its session, no workflow listed, no job queued.
   */
  async function expectNothingRecorded(sessionId: string, start: () => Promise<void>): Promise<void> {
    const [workflowsBefore, jobsBefore] = [await workflowCount(), await queuedJobs()];
    await start();
    expect(await keysMentioning(redis, namespace.redisPrefix, sessionId)).toEqual([]);
    expect(await workflowCount()).toBe(workflowsBefore);
    expect(await queuedJobs()).toBe(jobsBefore);
  }

  const startOverSocket = (message: Record<string, unknown>) =>
    client.socket.timeout(10_000).emitWithAck(ClientSocketEvent.Start, message) as Promise<
      SocketAck<{ workflowId: string }>
    >;

  beforeAll(async () => {
    await namespace.prepare();
    gateway = await AppProcess.start('gateway', namespace.env({ RATE_LIMIT_PER_MINUTE: '100000' }));
    api = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    client = new WorkflowClient(gateway.url);
    await client.connected();
    redis = connectTestRedis();
    // As a worker announces its agents at start, so that definitions naming them register.
    await announceWorker(redis, namespace.redisPrefix, [
      { name: 'test-echo', version: '1.0.0', description: 'echoes its input' },
    ]);
  });

  afterAll(async () => {
    client?.close();
    await redis?.quit();
    await gateway?.stop();
    await namespace.dispose();
  });

  describe('a valid input is recorded and queued, which the checks below rely on to mean something', () => {
    it.each([
      [WorkflowType.CreateSite, { request: 'Create a blog about tea' }],
      [WorkflowType.UpdateSite, { request: 'add a page about green tea' }],
      [WorkflowType.AuditOnly, { siteId: 'tea-blog' }],
      [WorkflowType.DeployOnly, { siteId: 'tea-blog', version: 2 }],
      [WorkflowType.DeployOnly, { siteId: 'tea-blog', version: null }],
    ])('%s %j: 202, recorded under its session, one step queued', async (type, input) => {
      const sessionId = `valid-${randomUUID()}`;
      const [workflowsBefore, jobsBefore] = [await workflowCount(), await queuedJobs()];
      const workflowId = await api.startWorkflow({ type, input, sessionId });
      expect(await keysMentioning(redis, namespace.redisPrefix, sessionId)).not.toEqual([]);
      expect(await workflowCount()).toBe(workflowsBefore + 1);
      expect(await queuedJobs()).toBe(jobsBefore + 1);
      expect(await api.json<WorkflowState>(`/workflows/${workflowId}`)).toMatchObject({ input, sessionId });
    });
  });

  describe.each(BAD_INPUTS)('$type with $what', ({ type, input, errors }) => {
    it('REST: 422 naming every wrong field, and nothing recorded or queued', async () => {
      const sessionId = `rest-${randomUUID()}`;
      await expectNothingRecorded(sessionId, async () => {
        const response = await api.post('/workflows', { type, input, sessionId });
        expect(response.status).toBe(422);
        expect(await response.json()).toEqual({
          statusCode: 422,
          error: 'Unprocessable Entity',
          message: 'input is invalid',
          errors,
        } satisfies InvalidInputAnswer);
      });
    });

    it('Socket.IO workflow.start: an INVALID_INPUT ack naming every wrong field, and nothing recorded or queued', async () => {
      const sessionId = `socket-${randomUUID()}`;
      await expectNothingRecorded(sessionId, async () => {
        expect(await startOverSocket({ type, input, sessionId })).toEqual({
          ok: false,
          error: { code: 'INVALID_INPUT', message: 'input is invalid', errors },
        });
      });
    });
  });

  describe('user_input, another name of request', () => {
    it.each([WorkflowType.CreateSite, WorkflowType.UpdateSite])(
      '%s: accepted over REST and recorded as request',
      async (type) => {
        const request = 'Create a portfolio website for a wildlife photographer';
        const workflowId = await api.startWorkflow({ type, input: { user_input: request }, sessionId: 's' });
        expect((await api.json<WorkflowState>(`/workflows/${workflowId}`)).input).toEqual({ request });
      },
    );

    it('accepted over Socket.IO and recorded as request', async () => {
      const request = 'Create a blog about sourdough baking';
      const ack = await startOverSocket({
        type: WorkflowType.CreateSite,
        input: { user_input: request },
        sessionId: 's',
      });
      if (!ack.ok) throw new Error(JSON.stringify(ack.error));
      expect((await api.json<WorkflowState>(`/workflows/${ack.workflowId}`)).input).toEqual({ request });
    });

    it('accepted beside request when both say the same, and recorded once', async () => {
      const request = 'Create a blog about tea';
      const workflowId = await api.startWorkflow({
        type: WorkflowType.CreateSite,
        input: { request, user_input: request },
        sessionId: 's',
      });
      expect((await api.json<WorkflowState>(`/workflows/${workflowId}`)).input).toEqual({ request });
    });

    it('is only a field like any other for AUDIT_ONLY, which has no such alias', async () => {
      const response = await api.post('/workflows', {
        type: WorkflowType.AuditOnly,
        input: { siteId: 'tea-blog', user_input: 'tea-blog' },
        sessionId: 's',
      });
      expect(response.status).toBe(422);
      expect(((await response.json()) as InvalidInputAnswer).errors).toEqual([
        { path: '/user_input', message: 'is not allowed' },
      ]);
    });
  });

  it('an Idempotency-Key sent with a refused input is not taken: the same key starts the corrected workflow', async () => {
    const headers = { 'idempotency-key': `key-${randomUUID()}` };
    const body = { type: WorkflowType.CreateSite, sessionId: 's' };
    const refused = await api.post('/workflows', { ...body, input: {} }, headers);
    expect(refused.status).toBe(422);
    const workflowId = await api.startWorkflow(
      { ...body, input: { request: 'Create a blog about tea' } },
      headers,
    );
    expect((await api.json<WorkflowState>(`/workflows/${workflowId}`)).input).toEqual({
      request: 'Create a blog about tea',
    });
  });

  it('lists each built-in type with the schema of its input', async () => {
    const definitions = await api.json<WorkflowDefinition[]>('/workflow-definitions');
    const schemas = Object.fromEntries(
      definitions.map((definition) => [definition.type, definition.inputSchema?.required]),
    );
    expect(schemas).toMatchObject({
      [WorkflowType.CreateSite]: ['request'],
      [WorkflowType.UpdateSite]: ['request'],
      [WorkflowType.AuditOnly]: ['siteId'],
      [WorkflowType.DeployOnly]: ['siteId'],
    });
    expect(
      await api.json<WorkflowDefinition>(`/workflow-definitions/${WorkflowType.CreateSite}`),
    ).toMatchObject({
      inputSchema: { additionalProperties: false },
      inputAliases: { user_input: 'request' },
    });
  });

  describe('a registered definition with its own input schema', () => {
    const register = (type: string, inputSchema: unknown) =>
      api.post('/workflow-definitions', {
        type,
        description: 'an order',
        steps: [{ id: 'only', agent: 'test-echo', dependsOn: [] }],
        inputSchema,
      });

    beforeAll(async () => {
      expect((await register('TEST_ORDER', ORDER_SCHEMA)).status).toBe(201);
    });

    it('is stored with its schema', async () => {
      expect(await api.json<WorkflowDefinition>('/workflow-definitions/TEST_ORDER')).toMatchObject({
        inputSchema: ORDER_SCHEMA,
      });
    });

    it('accepts an input its schema describes', async () => {
      const workflowId = await api.startWorkflow({
        type: 'TEST_ORDER',
        input: { sku: 'TEA-1', quantity: 2 },
        sessionId: 's',
      });
      expect((await api.json<WorkflowState>(`/workflows/${workflowId}`)).input).toEqual({
        sku: 'TEA-1',
        quantity: 2,
      });
    });

    it('refuses an input its schema refuses, over REST and Socket.IO, recording nothing', async () => {
      const input = { sku: 'TEA-000000001', quantity: 0, gift: true };
      const errors = [
        { path: '/gift', message: 'is not allowed' },
        { path: '/sku', message: 'must NOT have more than 10 characters' },
        { path: '/quantity', message: 'must be >= 1' },
      ];
      const restSession = `order-rest-${randomUUID()}`;
      await expectNothingRecorded(restSession, async () => {
        const response = await api.post('/workflows', { type: 'TEST_ORDER', input, sessionId: restSession });
        expect(response.status).toBe(422);
        expect(((await response.json()) as InvalidInputAnswer).errors).toEqual(errors);
      });
      const socketSession = `order-socket-${randomUUID()}`;
      await expectNothingRecorded(socketSession, async () => {
        const ack = await startOverSocket({ type: 'TEST_ORDER', input, sessionId: socketSession });
        expect(ack).toEqual({
          ok: false,
          error: { code: 'INVALID_INPUT', message: 'input is invalid', errors },
        });
      });
    });

    it('enforces the schema of the version registered last', async () => {
      const schema = { type: 'object', properties: { code: { type: 'string' } }, required: ['code'] };
      expect((await register('TEST_ORDER_V', ORDER_SCHEMA)).status).toBe(201);
      expect(
        (await api.post('/workflows', { type: 'TEST_ORDER_V', input: { code: 'x' }, sessionId: 's' })).status,
      ).toBe(422);
      expect((await register('TEST_ORDER_V', schema)).status).toBe(201);
      expect(
        (await api.post('/workflows', { type: 'TEST_ORDER_V', input: { code: 'x' }, sessionId: 's' })).status,
      ).toBe(202);
      const refused = await api.post('/workflows', {
        type: 'TEST_ORDER_V',
        input: { sku: 'TEA-1', quantity: 2 },
        sessionId: 's',
      });
      expect(((await refused.json()) as InvalidInputAnswer).errors).toEqual([
        { path: '/code', message: 'is required' },
      ]);
    });

    it('without a schema, accepts any object as before', async () => {
      expect((await register('TEST_ANYTHING', undefined)).status).toBe(201);
      expect(
        (await api.post('/workflows', { type: 'TEST_ANYTHING', input: { any: ['thing'] }, sessionId: 's' }))
          .status,
      ).toBe(202);
    });

    it.each([
      [
        'a type that does not exist',
        { type: 'object', properties: { sku: { type: 'strin' } } },
        'inputSchema is invalid: /properties/sku/type must be equal to one of the allowed values',
      ],
      ['a misspelt keyword', { type: 'object', requierd: ['sku'] }, 'unknown keyword: "requierd"'],
      ['a root that is not an object', { type: 'string' }, 'inputSchema must have type "object" at its root'],
      ['a schema that is no object', 'sku', 'inputSchema must be an object'],
    ])(
      'a malformed schema (%s) is refused with 400 naming the problem, and not stored',
      async (_, schema, message) => {
        const response = await register('TEST_BROKEN', schema);
        expect(response.status).toBe(400);
        expect(
          [((await response.json()) as { message: string | string[] }).message].flat().join('; '),
        ).toContain(message);
        expect((await api.get('/workflow-definitions/TEST_BROKEN')).status).toBe(404);
      },
    );
  });
});

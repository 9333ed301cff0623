import { HttpAgentDefinition } from '@app/agent-sdk/http';
import { CreatedApiKey, HttpAgentSummary, RegisteredHttpAgent } from '@app/contracts';
import { HttpAgentRepository } from '@app/http-agent-store';
import { RedisClient } from '@app/redis';
import { Webhook } from 'standardwebhooks';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { TEST_ADMIN_KEY, connectTestRedis, TestNamespace } from './support/test-environment';

/** A public address: registering it needs no DNS and no private networks. */
const PUBLIC_URL = 'https://93.184.215.14/agents';

const registration = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  version: '1.0.0',
  description: `${name} over HTTP`,
  url: `${PUBLIC_URL}/${name}`,
  timeoutSeconds: 30,
  ...extra,
});

describe('gateway: the admin API of HTTP agents', () => {
  const namespace = new TestNamespace();
  let gateway: AppProcess;
  let admin: ApiClient;
  let redis: RedisClient;
  let stored: HttpAgentRepository;

  beforeAll(async () => {
    await namespace.prepare();
    gateway = await AppProcess.start('gateway', namespace.env());
    admin = new ApiClient(gateway.url, TEST_ADMIN_KEY);
    redis = connectTestRedis();
    stored = new HttpAgentRepository(redis, { prefix: namespace.redisPrefix });
  });

  afterAll(async () => {
    await gateway?.stop();
    await redis?.quit();
    await namespace.dispose();
  });

  const register = async (body: unknown) => {
    const response = await admin.post('/admin/http-agents', body);
    return { status: response.status, text: await response.text() };
  };

  it('registers an HTTP agent with a generated secret, shown once in the 201, and lists it without', async () => {
    const created = await register(registration('summarise', { retry: { maxRetries: { network: 5 } } }));
    expect(created.status).toBe(201);
    const body = JSON.parse(created.text) as RegisteredHttpAgent;
    const secret = body.secret as string;
    expect(body).toEqual({
      name: 'summarise',
      version: '1.0.0',
      description: 'summarise over HTTP',
      url: `${PUBLIC_URL}/summarise`,
      timeoutSeconds: 30,
      retry: { maxRetries: { network: 5 } },
      hasSecret: true,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    // A receiver's Standard Webhooks library takes it as it is.
    expect(() => new Webhook(secret)).not.toThrow();
    // Stored with its secret, for the orchestrators that sign the requests.
    expect(await stored.get('summarise')).toMatchObject({ name: 'summarise', secret });

    const listed = await admin.get('/admin/http-agents');
    const one = await admin.get('/admin/http-agents/summarise');
    expect([listed.status, one.status]).toEqual([200, 200]);
    const [listText, oneText] = await Promise.all([listed.text(), one.text()]);
    const { secret: _shownOnce, ...summary } = body;
    expect(JSON.parse(listText)).toEqual([summary]);
    expect(JSON.parse(oneText)).toEqual(summary);
    for (const text of [listText, oneText]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain('"secret"');
    }
  });

  it('keeps a secret the request gives and never shows it back; a second registration replaces the first', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const first = await register(registration('classify', { secret }));
    expect(first.status).toBe(201);
    expect(first.text).not.toContain(secret);
    expect(JSON.parse(first.text)).toMatchObject({ name: 'classify', hasSecret: true });
    expect(JSON.parse(first.text)).not.toHaveProperty('secret');

    const second = await register(registration('classify', { secret, version: '1.1.0' }));
    expect(second.status).toBe(201);
    expect(await admin.json<HttpAgentSummary>('/admin/http-agents/classify')).toMatchObject({
      version: '1.1.0',
    });
    expect(await stored.get('classify')).toMatchObject({ version: '1.1.0', secret });
    const names = (await admin.json<HttpAgentSummary[]>('/admin/http-agents')).map(({ name }) => name);
    expect(names).toEqual(['classify', 'summarise']);
  });

  it.each([
    ['an ftp:// URL', 'ftp://files.example.com/agent', /^url must be http: or https:, not ftp:$/],
    [
      'a loopback address, private networks being forbidden',
      'http://127.0.0.1:8080/agent',
      /^url host 127\.0\.0\.1 is a loopback address, and private networks are not allowed$/,
    ],
    [
      'a private address',
      'http://10.0.0.7/agent',
      /^url host 10\.0\.0\.7 is a private address, and private networks are not allowed$/,
    ],
    [
      'cloud metadata',
      'http://169.254.169.254/latest',
      /^url host 169\.254\.169\.254 is a link-local address/,
    ],
    [
      'credentials in the URL',
      'https://user:pass@93.184.215.14/',
      /^url must not hold a user name or password$/,
    ],
  ])('answers 422 naming the url for %s, and stores nothing', async (_what, url, message) => {
    const refused = await register(registration('refused', { url }));
    expect(refused.status).toBe(422);
    const body = JSON.parse(refused.text) as { message: string; errors: { path: string; message: string }[] };
    expect(body.message).toMatch(message);
    expect(body.errors).toEqual([{ path: '/url', message: body.message }]);
    expect(await stored.get('refused')).toBeUndefined();
    expect((await admin.get('/admin/http-agents/refused')).status).toBe(404);
  });

  it.each([
    ['name', { name: 'Not_Kebab' }, /^name must be kebab-case/],
    ['version', { version: 'latest' }, /^version must be a semantic version/],
    ['timeoutSeconds', { timeoutSeconds: 0 }, /^timeoutSeconds must not be less than 1$/],
    ['secret', { secret: 'hunter2' }, /^secret must be whsec_/],
    [
      'retry',
      { retry: { maxRetries: { network: -1 } } },
      /^retry\.maxRetries\.network must not be less than 0$/,
    ],
  ])('answers 400 naming the field for a bad %s, and stores nothing', async (_field, change, message) => {
    const refused = await register({ ...registration('invalid'), ...change });
    expect(refused.status).toBe(400);
    expect((JSON.parse(refused.text) as { message: string[] }).message).toEqual([
      expect.stringMatching(message),
    ]);
    expect(await stored.get('invalid')).toBeUndefined();
  });

  it('deletes an HTTP agent, and answers 404 for one that does not exist', async () => {
    expect((await register(registration('short-lived'))).status).toBe(201);
    expect((await admin.request('DELETE', '/admin/http-agents/short-lived')).status).toBe(204);
    expect(await stored.get('short-lived')).toBeUndefined();
    const missing = await admin.request('DELETE', '/admin/http-agents/short-lived');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ message: 'HTTP agent short-lived is not registered' });
    expect((await admin.request('DELETE', '/admin/http-agents/never-registered')).status).toBe(404);
  });

  it('is for admin keys only', async () => {
    const created = await admin.post('/admin/keys', { tenantId: 'acme', role: 'client', name: 'a client' });
    const client = admin.as(((await created.json()) as CreatedApiKey).key);
    expect((await client.get('/admin/http-agents')).status).toBe(403);
    expect((await client.post('/admin/http-agents', registration('sneaky'))).status).toBe(403);
    expect((await admin.as(null).get('/admin/http-agents')).status).toBe(401);
    expect(await stored.get('sneaky')).toBeUndefined();
  });

  describe('with HTTP_AGENTS_ALLOW_PRIVATE_NETWORKS=true', () => {
    let trusting: AppProcess;

    beforeAll(async () => {
      trusting = await AppProcess.start(
        'gateway',
        namespace.env({ HTTP_AGENTS_ALLOW_PRIVATE_NETWORKS: 'true' }),
      );
    });

    afterAll(async () => {
      await trusting?.stop();
    });

    it('registers an agent on a private address, still refusing other schemes', async () => {
      const api = new ApiClient(trusting.url, TEST_ADMIN_KEY);
      const onLoopback = await api.post(
        '/admin/http-agents',
        registration('internal', { url: 'http://127.0.0.1:8080/agent' }),
      );
      expect(onLoopback.status).toBe(201);
      expect(await stored.get('internal')).toMatchObject<Partial<HttpAgentDefinition>>({
        url: 'http://127.0.0.1:8080/agent',
      });
      const ftp = await api.post(
        '/admin/http-agents',
        registration('internal-ftp', { url: 'ftp://10.0.0.7/' }),
      );
      expect(ftp.status).toBe(422);
    });
  });
});

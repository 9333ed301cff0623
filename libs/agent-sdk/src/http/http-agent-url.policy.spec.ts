import { HostLookup, HttpAgentUrlRefusedError, checkHttpAgentUrl } from './http-agent-url.policy';

const publicOnly = { allowPrivateNetworks: false };
const privateAllowed = { allowPrivateNetworks: true };

/** A resolver that knows a few names, and fails on any other as the system resolver would. */
const lookup: HostLookup = async (hostname) => {
  const known: Record<string, string[]> = {
    'agents.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    'rebound.example.com': ['93.184.215.14', '10.0.0.7'],
    'metadata.example.com': ['fd00:ec2::254'],
    localhost: ['127.0.0.1', '::1'],
  };
  const addresses = known[hostname];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses;
};

const refusal = (url: string, policy = publicOnly) =>
  checkHttpAgentUrl(url, { ...policy, lookup }).then(
    () => 'allowed',
    (error: unknown) => {
      if (!(error instanceof HttpAgentUrlRefusedError)) throw error;
      return error.message;
    },
  );

describe('checkHttpAgentUrl', () => {
  it.each(['ftp://agents.example.com/run', 'file:///etc/passwd', 'javascript:alert(1)', 'ws://1.1.1.1/'])(
    'refuses %s: only http and https',
    async (url) => {
      expect(await refusal(url)).toMatch(/^url must be http: or https:, not [a-z]+:$/);
      expect(await refusal(url, privateAllowed)).toMatch(/^url must be http: or https:/);
    },
  );

  it('refuses what is not an absolute URL', async () => {
    expect(await refusal('agents.example.com/run')).toBe('url is not a valid absolute URL');
  });

  it.each(['https://user:pass@agents.example.com/', 'https://token@agents.example.com/'])(
    'refuses credentials in the URL (%s), even on private networks',
    async (url) => {
      expect(await refusal(url)).toBe('url must not hold a user name or password');
      expect(await refusal(url, privateAllowed)).toBe('url must not hold a user name or password');
    },
  );

  it.each([
    ['http://127.0.0.1:8080/run', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://10.1.2.3/', 'private'],
    ['http://172.16.0.1/', 'private'],
    ['http://192.168.1.10/', 'private'],
    ['http://169.254.169.254/latest/meta-data', 'link-local'],
    ['http://100.100.100.200/', 'carrier-grade NAT'],
    ['http://0.0.0.0:3000/', 'unspecified'],
    ['http://[::1]/', 'loopback'],
    ['http://[::]/', 'unspecified'],
    ['http://[fc00::1]/', 'unique-local'],
    ['http://[fd12:3456::1]/', 'unique-local'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::ffff:10.0.0.1]/', 'private'],
    ['http://[64:ff9b::a00:1]/', 'private'],
    ['http://[::7f00:1]/', 'IPv4-compatible'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://192.0.2.1/', 'reserved'],
  ])('refuses %s: a %s address', async (url, range) => {
    const message = await refusal(url);
    expect(message).toContain(range);
    expect(message).toMatch(/^url host \S+ is .* address, and private networks are not allowed$/);
  });

  it('resolves a host name and refuses it when any of its addresses is not public', async () => {
    expect(await refusal('https://rebound.example.com/run')).toBe(
      'url host rebound.example.com resolves to 10.0.0.7, a private address, and private networks are not allowed',
    );
    expect(await refusal('http://localhost:3000/')).toMatch(/resolves to 127\.0\.0\.1, a loopback address/);
    expect(await refusal('http://metadata.example.com/')).toMatch(
      /resolves to fd00:ec2::254, a unique-local/,
    );
  });

  it.each([
    'https://93.184.215.14/run',
    'https://[2606:4700:4700::1111]/run',
    'https://[64:ff9b::5db8:d70e]/run',
    'https://agents.example.com:8443/v1/run?tenant=acme',
  ])('allows %s: public addresses only', async (url) => {
    expect(await refusal(url)).toBe('allowed');
  });

  it('returns the parsed, normalised URL', async () => {
    const url = await checkHttpAgentUrl('HTTPS://Agents.Example.com/run', { ...publicOnly, lookup });
    expect(url.href).toBe('https://agents.example.com/run');
  });

  it('lets the resolver’s own error through when a name does not resolve', async () => {
    await expect(
      checkHttpAgentUrl('https://nowhere.example.com/', { ...publicOnly, lookup }),
    ).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it.each([
    'http://127.0.0.1:8080/run',
    'http://10.1.2.3/',
    'http://[::1]/',
    'http://[fc00::1]/',
    'http://nowhere.internal/',
  ])('allows %s when the policy allows private networks, without resolving it', async (url) => {
    const resolving = jest.fn(lookup);
    await expect(checkHttpAgentUrl(url, { ...privateAllowed, lookup: resolving })).resolves.toBeInstanceOf(
      URL,
    );
    expect(resolving).not.toHaveBeenCalled();
  });
});

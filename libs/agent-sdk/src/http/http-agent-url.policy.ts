import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** Every address a host name resolves to. */
export type HostLookup = (hostname: string) => Promise<string[]>;

/** Where HTTP agents may live. */
export interface HttpAgentUrlPolicy {
  /**
   * Allows hosts on private, loopback, link-local, unique-local and other non-public addresses
   * (`HTTP_AGENTS_ALLOW_PRIVATE_NETWORKS`): for agents inside the deployment's own network.
   */
  allowPrivateNetworks: boolean;
  /** Resolves host names; the system resolver (`dns.lookup`, all addresses) unless given. */
  lookup?: HostLookup;
}

/** The URL of an HTTP agent breaks the policy; the message names the field (`url`) and why. */
export class HttpAgentUrlRefusedError extends Error {
  override name = 'HttpAgentUrlRefusedError';
}

const PROTOCOLS = new Set(['http:', 'https:']);

/** How the message words ipaddr.js's ranges; any other non-unicast range is "reserved". */
const RANGE_WORDS: Record<string, string> = {
  private: 'a private',
  loopback: 'a loopback',
  linkLocal: 'a link-local',
  uniqueLocal: 'a unique-local',
  unspecified: 'an unspecified',
  carrierGradeNat: 'a carrier-grade NAT (shared)',
  multicast: 'a multicast',
  broadcast: 'a broadcast',
  reserved: 'a reserved',
};

/** NAT64's well-known prefix: the address stands for the IPv4 address in its last 32 bits. */
const NAT64 = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
/** Deprecated IPv4-compatible addresses (`::a.b.c.d`), which ipaddr.js calls unicast. */
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');

const systemLookup: HostLookup = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map(({ address }) => address);

/**
 * Checks an HTTP agent's URL: http or https, no credentials in it, and, unless the policy allows
 * private networks, a host whose every address is public (a literal address, or every address its
 * name resolves to now). Returns the parsed URL; throws {@link HttpAgentUrlRefusedError} when the
 * policy refuses it, and the resolver's own error when the name does not resolve.
 *
 * Called when an agent is registered and again before each request, since a name may resolve
 * elsewhere later (DNS rebinding).
 */
export async function checkHttpAgentUrl(url: string, policy: HttpAgentUrlPolicy): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpAgentUrlRefusedError('url is not a valid absolute URL');
  }
  if (!PROTOCOLS.has(parsed.protocol))
    throw new HttpAgentUrlRefusedError(`url must be http: or https:, not ${parsed.protocol}`);
  if (parsed.username !== '' || parsed.password !== '')
    throw new HttpAgentUrlRefusedError('url must not hold a user name or password');
  if (policy.allowPrivateNetworks) return parsed;

  // The URL parser has already normalised the host: `2130706433` and `0x7f.1` are `127.0.0.1`.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const isLiteral = ipaddr.isValid(host);
  const addresses = isLiteral ? [host] : await (policy.lookup ?? systemLookup)(host);
  if (addresses.length === 0) throw new HttpAgentUrlRefusedError(`url host ${host} resolves to no address`);
  for (const address of addresses) {
    const refusal = nonPublicRangeOf(address);
    if (refusal === null) continue;
    const where = isLiteral ? `url host ${host} is` : `url host ${host} resolves to ${address},`;
    throw new HttpAgentUrlRefusedError(`${where} ${refusal} address, and private networks are not allowed`);
  }
  return parsed;
}

/** Null for a public (globally routable unicast) address, else how to name its range. */
function nonPublicRangeOf(text: string): string | null {
  if (!ipaddr.isValid(text)) return 'an unreadable';
  // IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is the IPv4 address it maps.
  let address = ipaddr.process(text);
  if (address.kind() === 'ipv6' && address.match(NAT64))
    address = ipaddr.fromByteArray(address.toByteArray().slice(12));
  const range: string = address.range();
  if (range !== 'unicast') return RANGE_WORDS[range] ?? `a reserved (${range})`;
  if (address.kind() === 'ipv6' && address.match(IPV4_COMPATIBLE)) return 'an IPv4-compatible (deprecated)';
  return null;
}

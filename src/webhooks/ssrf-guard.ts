import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Keeps webhook URLs from reaching into the network Mailroom runs in (SSRF): whoever can add a
 * subscription could otherwise point it at a metadata service, a database admin page or a router.
 * The host is resolved here and the connection is later made to exactly the address checked
 * (see `pinnedLookup`), so a DNS answer that changes between check and connect (rebinding) cannot
 * switch the target.
 */

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses; injectable so tests never touch /etc/hosts. */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolveHost: ResolveHost = async (hostname) => {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export interface UrlPolicy {
  allowHttp: boolean;
  allowPrivateNetworks: boolean;
  resolveHost?: ResolveHost;
}

export interface CheckedUrl {
  url: URL;
  /** Host name without IPv6 brackets, as the TLS server name and Host header. */
  hostname: string;
  /** The address to connect to; every address the name resolved to was checked. */
  address: string;
  family: 4 | 6;
}

/** The URL is not allowed by policy: retrying does not help until the URL or config changes. */
export class WebhookUrlRefusedError extends Error {
  readonly code = 'WEBHOOK_URL_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'WebhookUrlRefusedError';
  }
}

/**
 * Cloud metadata, credential and instance DNS services: refused even with allow_private_networks,
 * no receiver lives there and a request could carry their answers out. AWS (instance metadata,
 * container task credentials, DNS), Oracle, Alibaba and Azure's wire server.
 */
const METADATA_ADDRESSES = new Set(['169.254.169.254', '169.254.170.2', '169.254.169.253', 'fd00:ec2::254', 'fd00:ec2::23', '192.0.0.192', '100.100.100.200', '168.63.129.16']);

/** Whole ranges refused with private networks allowed too: link-local (where metadata lives) and AWS's IPv6 service range. */
const ALWAYS_REFUSED_RANGES: Array<[ipaddr.IPv4 | ipaddr.IPv6, number, string]> = [
  [ipaddr.parse('169.254.0.0'), 16, 'a link-local address (169.254.0.0/16, where cloud metadata services live)'],
  [ipaddr.parse('fe80::'), 10, 'a link-local IPv6 address (fe80::/10)'],
  [ipaddr.parse('fd00:ec2::'), 32, 'an AWS service address (fd00:ec2::/32, metadata and DNS)'],
];

/**
 * Why an address may not be a webhook target, or null when it is a public unicast address.
 * IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by that address.
 */
export function forbiddenAddressReason(address: string, allowPrivateNetworks = false): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return `"${address}" is not an IP address`;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    const embedded = embeddedIPv4(v6);
    if (embedded) {
      const inner = forbiddenAddressReason(embedded.toString(), allowPrivateNetworks);
      return inner ? `${address} embeds ${embedded.toString()}: ${inner}` : null;
    }
  }
  const normalized = parsed.kind() === 'ipv6' ? (parsed as ipaddr.IPv6).toRFC5952String() : parsed.toString();
  if (METADATA_ADDRESSES.has(normalized)) return `${normalized} is a cloud metadata service address`;
  for (const [network, bits, words] of ALWAYS_REFUSED_RANGES) {
    if (parsed.kind() === network.kind() && parsed.match(network, bits)) return `${normalized} is ${words}`;
  }
  if (allowPrivateNetworks) return null;
  const range = parsed.range();
  if (range === 'unicast') return null;
  const words = RANGE_WORDS[range] ?? range;
  return `${normalized} is ${/^[aeiou]/i.test(words) ? 'an' : 'a'} ${words} address`;
}

const RANGE_WORDS: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT (100.64.0.0/10)',
  private: 'private-network',
  reserved: 'reserved',
  uniqueLocal: 'unique-local (private IPv6)',
  benchmarking: 'benchmarking',
  teredo: 'Teredo tunnel',
};

function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = v6.parts;
  const low32 = () => new ipaddr.IPv4([p[6]! >> 8, p[6]! & 0xff, p[7]! >> 8, p[7]! & 0xff]);
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  const range = v6.range();
  if (range === 'rfc6145' || range === 'rfc6052') return low32();
  if (range === '6to4') return new ipaddr.IPv4([p[1]! >> 8, p[1]! & 0xff, p[2]! >> 8, p[2]! & 0xff]);
  // IPv4-compatible (::a.b.c.d, deprecated but still routed by some stacks); :: and ::1 are not.
  if (p.slice(0, 6).every((part) => part === 0) && (p[6] !== 0 || p[7]! > 1)) return low32();
  return null;
}

/**
 * Checks a webhook URL and resolves it to the one address to connect to. Throws
 * WebhookUrlRefusedError when policy forbids it, or a plain Error when the name does not resolve.
 */
export async function checkWebhookUrl(rawUrl: string, policy: UrlPolicy): Promise<CheckedUrl> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    const shown = rawUrl.includes('@') ? 'the webhook URL' : `"${rawUrl}"`;
    throw new WebhookUrlRefusedError(`${shown} is not a URL; expected https://host/path`);
  }
  // Refused rather than stored: a password in the URL would sit in clear in the database and be
  // shown by every listing. The receiver knows the sender by the signature instead.
  if (url.username || url.password) {
    throw new WebhookUrlRefusedError(
      `refusing ${url.origin}: a webhook URL may not carry a user name or password (they would be stored and shown in clear); remove them — the receiver authenticates Mailroom by the webhook-signature header, verified with the subscription's whsec_ signing secret (docs/events.md)`,
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    const hint = url.protocol === 'http:' ? ' (set webhooks.allow_http: true to allow plain http, e.g. for a test receiver)' : '';
    throw new WebhookUrlRefusedError(`${url.origin} is not an https URL${hint}`);
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: ResolvedAddress[];
  if (isIP(hostname)) {
    addresses = [{ address: hostname, family: isIP(hostname) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await (policy.resolveHost ?? systemResolveHost)(hostname);
    } catch (error) {
      throw new Error(`cannot resolve ${hostname}: ${(error as Error).message}`, { cause: error });
    }
    if (addresses.length === 0) throw new Error(`cannot resolve ${hostname}: no addresses`);
  }
  // Every answer is checked, not only the first: a name with one public and one private address
  // would otherwise reach the private one whenever the resolver's order changed.
  for (const { address } of addresses) {
    const reason = forbiddenAddressReason(address, policy.allowPrivateNetworks);
    if (reason) {
      const via = address === hostname ? '' : `${hostname} resolves to ${address}; `;
      const alwaysRefused = policy.allowPrivateNetworks || forbiddenAddressReason(address, true) !== null;
      const hint = alwaysRefused ? '' : ' (set webhooks.allow_private_networks: true for a receiver inside your own network)';
      throw new WebhookUrlRefusedError(`refusing ${url.origin}: ${via}${reason}${hint}`);
    }
  }
  const chosen = addresses[0]!;
  return { url, hostname, address: chosen.address, family: chosen.family };
}

/**
 * A stored URL as listings show it: user name and password (accepted by older versions) replaced,
 * so no listing repeats a credential.
 */
export function displayWebhookUrl(stored: string): string {
  try {
    const url = new URL(stored);
    if (!url.username && !url.password) return stored;
    url.username = '';
    url.password = '';
    return `${url.protocol}//[credentials removed]@${url.href.slice(url.protocol.length + 2)}`;
  } catch {
    return stored;
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | Array<{ address: string; family: number }>, family?: number) => void;

/**
 * A `lookup` for http.request that answers with the checked address whatever name it is asked
 * about, so the socket goes where the guard looked. Handles both the single-answer and the
 * `all: true` form (Node 20 asks for all when happy-eyeballs is on).
 */
export function pinnedLookup(checked: Pick<CheckedUrl, 'address' | 'family'>) {
  return (_hostname: string, options: { all?: boolean } | number | LookupCallback, callback?: LookupCallback): void => {
    const cb = (typeof options === 'function' ? options : callback)!;
    const all = typeof options === 'object' && options !== null && options.all === true;
    if (all) cb(null, [{ address: checked.address, family: checked.family }]);
    else cb(null, checked.address, checked.family);
  };
}

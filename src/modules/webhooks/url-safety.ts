/**
 * Where a webhook may go (issue 16 item 6, Bad input and security). A receiver is named
 * by its account, so its URL is untrusted input aimed at our own network: HTTPS only,
 * and never an address inside the platform (loopback, private, link-local such as the
 * cloud metadata service at 169.254.169.254, unique-local, unspecified, multicast),
 * unless its host is listed in WEBHOOK_ALLOWED_HOSTS (which also allows plain HTTP to
 * it: tests and on-premise receivers). Checked when an endpoint is saved and again at
 * every delivery: the name is resolved, every address it resolves to must pass, and the
 * connection goes to the address that was checked (the agent's lookup hands it to the
 * socket), so a name that resolves elsewhere a second later (DNS rebinding) gets nowhere.
 */
import dns from 'node:dns';
import net from 'node:net';
import { invalid } from '../../core/errors.js';

export const MAX_URL_LENGTH = 2000;

export type LookupAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemLookup: LookupAll = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, the metadata service
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['100::', 64], // discard
] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped or NAT64 IPv6 address (`::ffff:10.0.0.1`), if any. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:(?:0:)?|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:(?:0:)?|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = Number.parseInt(hex[1]!, 16);
    const low = Number.parseInt(hex[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return undefined;
}

/** Whether an address is one of the platform's own networks rather than the internet's. */
export function isInternalAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 !== undefined) return BLOCKED.check(v4, 'ipv4');
    return BLOCKED.check(address, 'ipv6');
  }
  // Not an address at all: nothing to connect to.
  return true;
}

/** A URL's host as compared with WEBHOOK_ALLOWED_HOSTS: lower case, without IPv6 brackets. */
export function hostKey(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

export interface UrlRules {
  allowedHosts: ReadonlySet<string>;
  lookup: LookupAll;
}

export class UnsafeUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeUrlError';
  }
}

/** The URL's form, without resolving it: scheme, host, no credentials. Throws UnsafeUrlError. */
export function parseWebhookUrl(text: string, rules: Pick<UrlRules, 'allowedHosts'>): { url: URL; host: string; allowed: boolean } {
  if (text.length > MAX_URL_LENGTH) throw new UnsafeUrlError(`A webhook URL is at most ${MAX_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UnsafeUrlError('The webhook URL is not a URL; write it as https://hooks.example.com/lockstep.');
  }
  const host = hostKey(url.hostname);
  const allowed = rules.allowedHosts.has(host);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowed)) {
    throw new UnsafeUrlError(
      url.protocol === 'http:'
        ? `A webhook URL must use https://; plain http:// is only for the hosts the operator allows in WEBHOOK_ALLOWED_HOSTS, and ${host} is not one.`
        : `A webhook URL must use https://, not ${url.protocol}//.`,
    );
  }
  if (url.username || url.password) throw new UnsafeUrlError('A webhook URL must not carry a user name or password; the signature authenticates the platform.');
  if (!host) throw new UnsafeUrlError('The webhook URL names no host.');
  return { url, host, allowed };
}

function refuseAddress(host: string, address: string): never {
  throw new UnsafeUrlError(
    `The webhook URL's host ${host} ${host === address ? 'is' : `resolves to`} ${host === address ? 'a' : `${address}, a`} private, loopback, link-local or otherwise internal address; webhooks go to public addresses only.`,
  );
}

/**
 * The addresses a URL may be reached at, every one checked: the literal address, or all
 * the addresses its name resolves to. Throws UnsafeUrlError.
 */
export async function resolveSafely(host: string, allowed: boolean, lookup: LookupAll): Promise<Array<{ address: string; family: number }>> {
  const literal = net.isIP(host);
  if (literal) {
    if (!allowed && isInternalAddress(host)) refuseAddress(host, host);
    return [{ address: host, family: literal }];
  }
  if (!allowed && (host === 'localhost' || host.endsWith('.localhost'))) refuseAddress(host, 'localhost');
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = await lookup(host);
  } catch (error) {
    throw new UnsafeUrlError(`The webhook URL's host ${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'no address'}).`);
  }
  if (addresses.length === 0) throw new UnsafeUrlError(`The webhook URL's host ${host} does not resolve.`);
  if (!allowed) for (const { address } of addresses) if (isInternalAddress(address)) refuseAddress(host, address);
  return addresses;
}

/** The check when an endpoint is saved: a 400 problem saying what is wrong. */
export async function checkWebhookUrlOrThrow(text: string, rules: UrlRules): Promise<string> {
  try {
    const { url, host, allowed } = parseWebhookUrl(text, rules);
    await resolveSafely(host, allowed, rules.lookup);
    return url.toString();
  } catch (error) {
    if (error instanceof UnsafeUrlError) throw invalid(error.message, { errors: [{ field: 'Url', message: error.message }] });
    throw error;
  }
}

/**
 * The `lookup` of the delivery agents: resolves, checks every address, and hands the
 * socket only checked ones. (A literal address never reaches a lookup; the delivery
 * checks it before it connects.)
 */
export function safeLookup(rules: () => UrlRules): net.LookupFunction {
  return (hostname, options, callback) => {
    const current = rules();
    const host = hostKey(hostname);
    resolveSafely(host, current.allowedHosts.has(host), current.lookup).then(
      (addresses) => {
        const family = typeof options === 'object' && options ? (options as dns.LookupOptions).family : undefined;
        const usable = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
        if (usable.length === 0) {
          callback(Object.assign(new Error(`${host} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0);
          return;
        }
        if (typeof options === 'object' && options && (options as dns.LookupAllOptions).all) {
          (callback as unknown as (err: null, addresses: dns.LookupAddress[]) => void)(null, usable);
        } else {
          callback(null, usable[0]!.address, usable[0]!.family);
        }
      },
      (error: Error) => callback(Object.assign(error, { code: 'EWEBHOOKUNSAFE' }), '', 0),
    );
  };
}

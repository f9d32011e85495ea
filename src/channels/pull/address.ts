/**
 * Where a pull may connect. The host is the brand's input aimed at the platform's own
 * network, so, as for webhooks, an address inside it (loopback, private, link-local such
 * as the cloud metadata service, unique-local…) is refused unless the operator lists the
 * host in PULL_ALLOWED_HOSTS (tests, on-premise servers). The name is resolved once, every
 * address it resolves to is checked, and the connection goes to the address checked, so a
 * name that resolves elsewhere a moment later (DNS rebinding) gets nowhere.
 */
import dns from 'node:dns';
import net from 'node:net';
import { isInternalAddress } from '../../modules/webhooks/url-safety.js';
import { describeConnectError, PullError, withTimeout } from './remote.js';

export async function resolvePullAddressOrThrow(host: string, port: number, allowedHosts: ReadonlySet<string>, timeoutMs: number): Promise<string> {
  const name = host.toLowerCase().replace(/\.$/, '');
  const allowed = allowedHosts.has(name);
  let addresses: string[];
  if (net.isIP(name)) addresses = [name];
  else {
    try {
      addresses = (await withTimeout(dns.promises.lookup(name, { all: true, verbatim: true }), timeoutMs, `looking up ${host}`, () => undefined)).map((a) => a.address);
    } catch (error) {
      throw describeConnectError(error, { host, port }, timeoutMs);
    }
    if (addresses.length === 0) throw new PullError(`Host ${host} was not found (DNS). Check the host name.`);
  }
  if (!allowed) {
    const internal = addresses.find((address) => isInternalAddress(address)) ?? (name === 'localhost' || name.endsWith('.localhost') ? name : undefined);
    if (internal) {
      throw new PullError(
        `${host}${internal === name ? '' : ` (${internal})`} is an internal address of the platform's network, not a server on the internet; pulls go to public addresses only. An operator can allow an on-premise host with PULL_ALLOWED_HOSTS.`,
      );
    }
  }
  return addresses[0]!;
}

import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/**
 * Which peers may tell us the client's address in X-Forwarded-For. Without a trusted
 * proxy, that header is whatever the client wrote, so anything keyed on the address (rate
 * limits, a click's address hash) would be the client's to choose. `TRUST_PROXY` (config.ts):
 * unset trusts no one; a number trusts that many hops nearest to us (only safe when the
 * app cannot be reached except through those proxies); a list trusts those addresses and
 * CIDR ranges (and proxy-addr's names `loopback`, `linklocal`, `uniquelocal`).
 */
export type TrustProxy = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'addresses'; addresses: string[] };

/** Whether the hop at distance `hop` (0 = our socket's peer), with that address, is a trusted proxy. */
export type TrustFunction = (address: string, hop: number) => boolean;

/** Parses TRUST_PROXY, refusing what proxy-addr could not compile (so a typo fails at start, not silently). */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const text = (raw ?? '').trim();
  if (text === '' || text.toLowerCase() === 'false' || text === '0') return { kind: 'none' };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 32) throw new Error(`TRUST_PROXY must be at most 32 hops, got ${hops}.`);
    return { kind: 'hops', hops };
  }
  const addresses = text.split(',').map((each) => each.trim()).filter(Boolean);
  try {
    proxyAddr.compile(addresses);
  } catch (error) {
    throw new Error(`TRUST_PROXY must be a hop count or a list of addresses/CIDRs: ${(error as Error).message}`);
  }
  return { kind: 'addresses', addresses };
}

export function trustFunctionOf(trust: TrustProxy): TrustFunction | undefined {
  if (trust.kind === 'none') return undefined;
  if (trust.kind === 'hops') {
    const { hops } = trust;
    return (_address, hop) => hop < hops;
  }
  return proxyAddr.compile(trust.addresses);
}

/**
 * The client's address as Fastify computes `request.ip` with the same trust function
 * (http/app.ts hands it the same one): the peer, or with trusted proxies the nearest
 * X-Forwarded-For entry that was not added by one of them.
 */
export function clientAddressOf(req: IncomingMessage, trust: TrustFunction | undefined): string | undefined {
  if (!trust) return req.socket.remoteAddress;
  return proxyAddr(req, trust);
}

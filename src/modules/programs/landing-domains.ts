import { invalid } from '../../core/errors.js';

/**
 * A program's allowed landing domains: the hosts its tracking links may send visitors
 * to. Without them a tracking link would be an open redirect: anyone with a contract
 * could send the program's visitors to any site under the platform's name.
 *
 * An entry is an exact host (`shop.example.com`) or a wildcard (`*.example.com`) that
 * matches every subdomain of example.com at any depth (`a.example.com`,
 * `a.b.example.com`) but not example.com itself, as people read it; a brand that wants
 * both lists both. Hosts are compared as the WHATWG URL parser writes them (lower
 * case, IDNA as punycode, IPv4 in dotted decimal), without a trailing dot. The scheme
 * (http or https) and the port are not part of an entry.
 */
export const MAX_LANDING_DOMAINS = 50;
/** The longest DNS name, plus the two characters of a wildcard's "*.". */
export const MAX_LANDING_DOMAIN_LENGTH = 255;
export const MAX_WEBSITE_URL_LENGTH = 2_000;

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

function quoted(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** The host of a URL as entries are compared: WHATWG form, without a trailing dot. */
export function hostForMatching(hostname: string): string {
  return hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
}

/** The host of a stored (normalized) landing URL, or undefined if it cannot be parsed. */
export function hostOfUrl(url: string): string | undefined {
  try {
    return hostForMatching(new URL(url).hostname);
  } catch {
    return undefined;
  }
}

/** Whether a host (as hostForMatching writes it) is allowed by a list of normalized entries. */
export function isHostAllowed(host: string, domains: readonly string[]): boolean {
  for (const domain of domains) {
    if (domain.charCodeAt(0) === 42 /* * */) {
      // "*.example.com" matches hosts ending in ".example.com", never "example.com" itself.
      const suffix = domain.slice(1);
      if (host.length > suffix.length && host.endsWith(suffix)) return true;
    } else if (host === domain) {
      return true;
    }
  }
  return false;
}

/** Whether a stored landing URL may be redirected to under these domains; an unreadable URL may not. */
export function isLandingUrlAllowed(landingUrl: string, domains: readonly string[]): boolean {
  const host = hostOfUrl(landingUrl);
  return host !== undefined && isHostAllowed(host, domains);
}

/** One entry, checked and written in its normalized form; `position` (1-based) names it in messages. */
export function normalizeLandingDomainOrThrow(raw: string, position?: number): string {
  const entry = raw.trim();
  const which = position === undefined ? 'The landing domain' : `Landing domain ${position}`;
  if (!entry) throw invalid(`${which} is empty; write a host name like shop.example.com, or a wildcard like *.example.com.`);
  if (entry.length > MAX_LANDING_DOMAIN_LENGTH) {
    throw invalid(`${which} is ${entry.length} characters long; a host name has at most 253.`);
  }
  if (entry.includes('://')) {
    let host = '';
    try {
      host = new URL(entry).hostname;
    } catch {
      // Not even a URL: the generic advice below is all we can say.
    }
    throw invalid(`${which} ${quoted(entry)} is a URL; write only its host name${host ? `: ${host}` : ', like shop.example.com'}.`);
  }
  if (/[\s/?#@\\]/.test(entry)) {
    throw invalid(`${which} ${quoted(entry)} must be a host name only, like shop.example.com: no path, query, spaces or user name.`);
  }
  if (entry === '*' || entry === '*.') {
    throw invalid(`${which} "*" would allow every site; list the brand's own hosts, like shop.example.com or *.example.com.`);
  }
  const wildcard = entry.startsWith('*.');
  const base = wildcard ? entry.slice(2) : entry;
  if (base.includes('*')) {
    throw invalid(`${which} ${quoted(entry)}: a wildcard may only be the whole first label, as in *.example.com.`);
  }
  const bracketed = base.startsWith('[') && base.endsWith(']');
  if (base.includes(':') && !bracketed) {
    throw invalid(`${which} ${quoted(entry)} must not contain a port; any port of an allowed host is allowed.`);
  }
  let hostname: string;
  try {
    hostname = hostForMatching(new URL(`http://${base}/`).hostname);
  } catch {
    throw invalid(`${which} ${quoted(entry)} is not a valid host name; write it like shop.example.com.`);
  }
  const ipv6 = hostname.startsWith('[');
  const labels = ipv6 ? [] : hostname.split('.');
  if (!ipv6 && (!hostname || !labels.every((label) => LABEL.test(label)))) {
    throw invalid(
      `${which} ${quoted(entry)} is not a valid host name: use letters, digits and hyphens, labels of 1 to 63 characters separated by dots.`,
    );
  }
  if (hostname.length > 253) throw invalid(`${which} ${quoted(entry)} is longer than the 253 characters a host name may have.`);
  if (wildcard) {
    // The WHATWG parser writes an IPv4 address in dotted decimal and refuses names whose last label is numeric otherwise.
    if (ipv6 || /^[0-9]+$/.test(labels[labels.length - 1]!)) {
      throw invalid(`${which} ${quoted(entry)}: a wildcard needs a domain name, not an IP address; list the address itself.`);
    }
    if (labels.length < 2) {
      throw invalid(
        `${which} ${quoted(entry)} would allow every site under .${hostname}; name the brand's own domain, like *.example.${hostname}.`,
      );
    }
    return `*.${hostname}`;
  }
  return hostname;
}

/** A whole list: each entry normalized, duplicates dropped (first one kept), at most MAX_LANDING_DOMAINS. */
export function normalizeLandingDomainsOrThrow(raw: readonly string[]): string[] {
  if (raw.length > MAX_LANDING_DOMAINS) {
    throw invalid(`${raw.length} landing domains were given; at most ${MAX_LANDING_DOMAINS} are allowed. Use wildcards like *.example.com to cover many subdomains.`);
  }
  const seen = new Set<string>();
  raw.forEach((entry, index) => {
    seen.add(normalizeLandingDomainOrThrow(entry, index + 1));
  });
  return [...seen];
}

/** The program's own site: an absolute http(s) URL, stored normalized. */
export function normalizeWebsiteUrlOrThrow(raw: string): { url: string; host: string } {
  const trimmed = raw.trim();
  if (trimmed.length > MAX_WEBSITE_URL_LENGTH) {
    throw invalid(`The website URL is ${trimmed.length} characters long; at most ${MAX_WEBSITE_URL_LENGTH} are allowed.`);
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw invalid(`The website URL ${quoted(trimmed)} is not an absolute URL; write it in full, like https://shop.example.com.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(`The website URL must start with http:// or https://, not ${quoted(url.protocol)}.`);
  }
  if (url.username || url.password) throw invalid('The website URL must not contain a user name or password.');
  // Checked like a landing domain, so that the default list made from it is a valid one.
  let host: string;
  try {
    host = normalizeLandingDomainOrThrow(url.hostname);
  } catch {
    throw invalid(`The website URL's host ${quoted(url.hostname)} is not a valid host name; write it like https://shop.example.com.`);
  }
  if (url.href.length > MAX_WEBSITE_URL_LENGTH) {
    throw invalid(`The website URL is ${url.href.length} characters long once encoded; at most ${MAX_WEBSITE_URL_LENGTH} are allowed.`);
  }
  return { url: url.href, host };
}

/** The refusal of a landing URL outside the program's domains, naming the domains allowed. */
export function landingDomainRefusal(programId: number, host: string, domains: readonly string[]) {
  if (domains.length === 0) {
    return invalid(
      `Program ${programId} allows no landing domains yet, so no tracking link can be made for it; ask the brand to set the program's website or landing domains.`,
      { landingDomains: [] },
    );
  }
  return invalid(
    `The landing URL's host ${host} is not among the allowed landing domains of program ${programId}: ${domains.join(', ')}. Link to a page on one of them, or ask the brand to add the domain.`,
    { landingDomains: [...domains] },
  );
}

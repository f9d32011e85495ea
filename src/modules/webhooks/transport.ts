/**
 * How webhooks leave: this process's settings (WEBHOOK_ALLOWED_HOSTS, the secrets key)
 * and the HTTP client. One keep-alive agent per scheme, so a busy endpoint reuses its
 * connections; its lookup checks every address before a socket connects to it
 * (url-safety.ts). No redirect is followed (Node's client never does; a 3xx is a failed
 * attempt), every request has a deadline, and at most RESPONSE_READ_MAX bytes of an
 * answer are read, of which RESPONSE_EXCERPT_MAX characters are kept for the log.
 */
import type { KeyObject } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Config } from '../../core/config.js';
import { loadSecretsKey } from '../../core/secrets.js';
import { hostKey, parseWebhookUrl, resolveSafely, safeLookup, systemLookup, UnsafeUrlError, type LookupAll, type UrlRules } from './url-safety.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const RESPONSE_READ_MAX = 64 * 1024;
export const RESPONSE_EXCERPT_MAX = 1000;

export interface WebhookSettings {
  allowedHosts: ReadonlySet<string>;
  lookup: LookupAll;
  timeoutMs: number;
  /** How long a sender holds its batch of deliveries; past it (the sender was killed) they are due again. */
  leaseMs: number;
  key(): KeyObject;
}

export const DEFAULT_DELIVERY_LEASE_MS = 60_000;

let current: WebhookSettings | undefined;
let agents: { http: http.Agent; https: https.Agent } | undefined;

function makeAgents(): { http: http.Agent; https: https.Agent } {
  const lookup = safeLookup(() => rulesOrThrow());
  const options = { keepAlive: true, maxSockets: 64, maxFreeSockets: 64, scheduling: 'lifo' as const, lookup };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

/**
 * Configures this process's webhooks (buildApp and the command line do, as for payouts
 * and e-mail). `lookup` and `timeoutMs` are for tests: a resolver standing in for DNS,
 * a shorter deadline.
 */
export function configureWebhooks(
  config: Pick<Config, 'webhookAllowedHosts' | 'secretsKey' | 'dataDir'>,
  overrides: { lookup?: LookupAll; timeoutMs?: number; leaseMs?: number } = {},
): void {
  let key: KeyObject | undefined;
  current = {
    allowedHosts: new Set(config.webhookAllowedHosts.map(hostKey)),
    lookup: overrides.lookup ?? systemLookup,
    timeoutMs: overrides.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    leaseMs: overrides.leaseMs ?? DEFAULT_DELIVERY_LEASE_MS,
    key() {
      key ??= loadSecretsKey({ ...(config.secretsKey ? { secretsKey: config.secretsKey } : {}), dataDir: config.dataDir }).key;
      return key;
    },
  };
  agents?.http.destroy();
  agents?.https.destroy();
  agents = undefined;
}

export function webhookSettingsOrThrow(): WebhookSettings {
  if (!current) throw new Error('Webhooks are not configured in this process: call configureWebhooks(config) at start (buildApp does).');
  return current;
}

function rulesOrThrow(): UrlRules {
  const settings = webhookSettingsOrThrow();
  return { allowedHosts: settings.allowedHosts, lookup: settings.lookup };
}

export function urlRules(): UrlRules {
  return rulesOrThrow();
}

export interface SendResult {
  ok: boolean;
  status: number | null;
  durationMs: number;
  error: string | null;
  response: string | null;
}

/**
 * POSTs one signed webhook. Never throws: every way it can go wrong (a refused address,
 * no connection, a timeout, a closed connection, a non-2xx answer) is a failed result
 * saying why.
 */
export async function postWebhook(urlText: string, headers: Record<string, string>, body: string): Promise<SendResult> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  const settings = webhookSettingsOrThrow();
  let url: URL;
  try {
    const parsed = parseWebhookUrl(urlText, settings);
    url = parsed.url;
    // A literal address connects without a lookup: check it here. A name is checked by the agent's lookup.
    if (net.isIP(parsed.host)) await resolveSafely(parsed.host, parsed.allowed, settings.lookup);
  } catch (error) {
    const message = error instanceof UnsafeUrlError ? error.message : String(error);
    return { ok: false, status: null, durationMs: took(), error: `Refused before connecting: ${message}`, response: null };
  }
  agents ??= makeAgents();
  const secure = url.protocol === 'https:';
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: took() });
    };
    const request = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        agent: secure ? agents!.https : agents!.http,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Lockstep-Webhooks/1' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        const status = response.statusCode ?? 0;
        const done = (truncated: boolean) => {
          const text = Buffer.concat(chunks).toString('utf8');
          const excerpt = text.length > RESPONSE_EXCERPT_MAX || truncated ? `${text.slice(0, RESPONSE_EXCERPT_MAX)}…` : text;
          const ok = status >= 200 && status < 300;
          let error: string | null = null;
          if (!ok) {
            error =
              status >= 300 && status < 400
                ? `HTTP ${status}: a redirect${response.headers.location ? ` to ${String(response.headers.location).slice(0, 200)}` : ''}, not followed; give the endpoint's final URL.`
                : `HTTP ${status}: the receiver did not answer 2xx.`;
          }
          finish({ ok, status, error, response: excerpt || null });
        };
        response.on('data', (chunk: Buffer) => {
          if (bytes >= RESPONSE_READ_MAX) return;
          chunks.push(chunk.subarray(0, RESPONSE_READ_MAX - bytes));
          bytes += chunk.length;
          if (bytes >= RESPONSE_READ_MAX) {
            done(true);
            response.destroy();
          }
        });
        response.on('end', () => done(false));
        response.on('error', (error) => finish({ ok: false, status, error: `The answer broke off: ${error.message}`, response: null }));
        response.on('aborted', () => finish({ ok: false, status, error: 'The receiver closed the connection mid-answer.', response: null }));
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, status: null, error: `No answer within ${settings.timeoutMs} ms (timed out).`, response: null });
      request.destroy();
    }, settings.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => {
      const message =
        error.code === 'EWEBHOOKUNSAFE'
          ? `Refused before connecting: ${error.message}`
          : error.code === 'ECONNRESET' || error.message === 'socket hang up'
            ? 'The receiver closed the connection without answering.'
            : `Could not deliver: ${error.code ?? ''} ${error.message}`.trim();
      finish({ ok: false, status: null, error: message, response: null });
    });
    request.end(body);
  });
}

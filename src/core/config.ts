import path from 'node:path';
import { MoneyError, parseAmountMinorOrThrow } from '../money/index.js';
import { parseTrustProxy, type TrustProxy } from './client-address.js';

/** Every environment variable the application reads, in one place (the README lists them). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  publicUrl: string;
  logLevel: string;
  sessionTtlHours: number;
  cookieSecure: boolean;
  rateLimitMax: number;
  rateLimitWindowMs: number;
  loginRateLimitMax: number;
  bodyLimitBytes: number;
  seedDemo: boolean;
  jobs: boolean;
  /** Run the worker (the claim loop of work items) in this process. */
  worker: boolean;
  /** Work items this process's worker runs at once. */
  workerConcurrency: number;
  /** How long an instance reuses a tracking-link lookup; a disable or closure elsewhere takes effect within it. */
  linkCacheTtlMs: number;
  /** Which peers may report the client's address in X-Forwarded-For (none unless configured). */
  trustProxy: TrustProxy;
  /** The key of secrets at rest (bank details), 64 hex or 44 base64 characters; unset: the key file under dataDir. */
  secretsKey: string | undefined;
  /** The fixed fee of a wire withdrawal, per currency, in minor units; a currency without one offers no wire. */
  wireFeesMinor: Record<string, bigint>;
  /** The platform's own account, which pays the partners: the debtor of the pain.001 files. */
  payoutDebtor: { name: string; iban: string; bic: string };
  /** Where e-mails go out (`smtp://user:password@host:587`, `smtps://…:465`); unset: no e-mail is sent. */
  smtpRelayUrl: string | undefined;
  /** The sender of those e-mails. */
  mailFrom: string;
  /** The SFTP server's port (issue 14 item 1); 0: no SFTP server. */
  sftpPort: number;
  /** The SFTP server's host key file; unset: DATA_DIR/sftp_host_ed25519_key, generated on first start. */
  sftpHostKey: string | undefined;
  /** Pulls from brands' servers: the longest wait for a connection, a listing, or the next bytes of a transfer. */
  pullTimeoutMs: number;
  /** Pulls: the most new files one pull takes; the rest wait for the next pull. */
  pullMaxFiles: number;
  /** Pull hosts that may be at internal addresses (loopback, private networks): tests and on-premise servers. */
  pullAllowedHosts: string[];
  /** Salesforce instance hosts the poller may reach at internal addresses (loopback, private networks): tests and stand-ins. */
  salesforceAllowedHosts: string[];
  /** Webhook hosts that may be reached over plain HTTP and at internal addresses (tests, on-premise receivers). */
  webhookAllowedHosts: string[];
  /** The returns e-mail listener's port (SMTP, issue 14 item 3); 0: no listener. */
  smtpPort: number;
  /** The domain of the event types' addresses, `returns-<token>@<mailDomain>`. */
  mailDomain: string;
  /** PEM files of the listener's certificate and key: STARTTLS is offered when both are set. */
  smtpTlsCert: string | undefined;
  smtpTlsKey: string | undefined;
  /** The largest message the listener takes, attachments and all. */
  smtpMaxMessageBytes: number;
  /** The most attachments one message may carry, and recipients one message may name. */
  smtpMaxAttachments: number;
  smtpMaxRecipients: number;
}

/**
 * MAIL_DOMAIN, or the host of PUBLIC_URL when that is a name (an address with a bare IP
 * is not a mail domain, so then `lockstep.invalid`, which says plainly that it must be set).
 */
export function mailDomainFromOrThrow(raw: string | undefined, publicUrl: string): string {
  if (raw) {
    const domain = raw.trim().toLowerCase();
    if (!/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(domain)) {
      throw new Error(`MAIL_DOMAIN must be a domain name such as returns.example.com, got "${raw}".`);
    }
    return domain;
  }
  const host = new URL(publicUrl).hostname.toLowerCase();
  return /^[0-9.]+$/.test(host) || host.startsWith('[') || host === '' ? 'lockstep.invalid' : host;
}

/** SMTP_RELAY_URL: an smtp:// or smtps:// URL, or unset; a typo fails at start, not at the first e-mail. */
function parseSmtpRelayUrlOrThrow(text: string | undefined): string | undefined {
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('SMTP_RELAY_URL is not a URL; write smtp://user:password@host:587 or smtps://user:password@host:465.');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error(`SMTP_RELAY_URL must start with smtp:// or smtps://, not ${url.protocol}//.`);
  if (!url.hostname) throw new Error('SMTP_RELAY_URL names no host.');
  return text;
}

/** The wire fees when WIRE_FEES is not set (impact.com does not publish its fee). */
export const DEFAULT_WIRE_FEES = 'USD=25.00,EUR=20.00,GBP=20.00,CAD=30.00,AUD=30.00';

/** `USD=25.00,EUR=20.00`: a fixed wire fee per currency, parsed in each currency's own decimals. */
export function parseWireFeesOrThrow(raw: string, name = 'WIRE_FEES'): Record<string, bigint> {
  const fees: Record<string, bigint> = {};
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([A-Z]{3})=(.+)$/.exec(part);
    if (!match) throw new Error(`${name} must list CURRENCY=amount pairs separated by commas (e.g. "USD=25.00,EUR=20.00"), got "${part}".`);
    const [, currency, amount] = match as unknown as [string, string, string];
    if (Object.hasOwn(fees, currency)) throw new Error(`${name} names ${currency} twice.`);
    try {
      fees[currency] = parseAmountMinorOrThrow(amount, currency);
    } catch (error) {
      if (error instanceof MoneyError) throw new Error(`${name}: ${currency}: ${error.message}`);
      throw error;
    }
  }
  return fees;
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

function boolFrom(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new Error(`${name} must be true or false, got "${raw}".`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = intFrom(env, 'PORT', 3000);
  return {
    port,
    host: env.HOST || '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/$/, ''),
    logLevel: env.LOG_LEVEL || 'info',
    sessionTtlHours: intFrom(env, 'SESSION_TTL_HOURS', 12),
    cookieSecure: boolFrom(env, 'COOKIE_SECURE', true),
    rateLimitMax: intFrom(env, 'RATE_LIMIT_MAX', 600),
    rateLimitWindowMs: intFrom(env, 'RATE_LIMIT_WINDOW_MS', 60_000),
    loginRateLimitMax: intFrom(env, 'LOGIN_RATE_LIMIT_MAX', 30),
    bodyLimitBytes: intFrom(env, 'BODY_LIMIT_BYTES', 1_048_576),
    seedDemo: boolFrom(env, 'SEED_DEMO', true),
    jobs: boolFrom(env, 'JOBS', true),
    worker: boolFrom(env, 'WORKER', true),
    workerConcurrency: intFrom(env, 'WORKER_CONCURRENCY', 4, 64, 1),
    linkCacheTtlMs: intFrom(env, 'LINK_CACHE_TTL_MS', 2000, 600_000),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    secretsKey: env.SECRETS_KEY || undefined,
    wireFeesMinor: parseWireFeesOrThrow(env.WIRE_FEES || DEFAULT_WIRE_FEES),
    payoutDebtor: {
      name: env.PAYOUT_DEBTOR_NAME || 'Lockstep Payouts',
      iban: env.PAYOUT_DEBTOR_IBAN || 'DE89370400440532013000',
      bic: env.PAYOUT_DEBTOR_BIC || 'COBADEFFXXX',
    },
    smtpRelayUrl: parseSmtpRelayUrlOrThrow(env.SMTP_RELAY_URL),
    mailFrom: env.MAIL_FROM || 'Lockstep <no-reply@lockstep.invalid>',
    sftpPort: intFrom(env, 'SFTP_PORT', 2222, 65_535),
    sftpHostKey: env.SFTP_HOST_KEY ? path.resolve(env.SFTP_HOST_KEY) : undefined,
    pullTimeoutMs: intFrom(env, 'PULL_TIMEOUT_MS', 30_000, 600_000, 1000),
    pullMaxFiles: intFrom(env, 'PULL_MAX_FILES', 100, 10_000, 1),
    pullAllowedHosts: (env.PULL_ALLOWED_HOSTS || '').split(',').map((host) => host.trim().toLowerCase()).filter(Boolean),
    salesforceAllowedHosts: (env.SALESFORCE_ALLOWED_HOSTS || '').split(',').map((host) => host.trim().toLowerCase()).filter(Boolean),
    webhookAllowedHosts: (env.WEBHOOK_ALLOWED_HOSTS || '').split(',').map((host) => host.trim()).filter(Boolean),
    smtpPort: intFrom(env, 'SMTP_PORT', 2525, 65_535),
    mailDomain: mailDomainFromOrThrow(env.MAIL_DOMAIN, (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/$/, '')),
    smtpTlsCert: env.SMTP_TLS_CERT || undefined,
    smtpTlsKey: env.SMTP_TLS_KEY || undefined,
    smtpMaxMessageBytes: intFrom(env, 'SMTP_MAX_MESSAGE_BYTES', 25 * 1024 * 1024, 128 * 1024 * 1024, 1024),
    smtpMaxAttachments: intFrom(env, 'SMTP_MAX_ATTACHMENTS', 10, 100, 1),
    smtpMaxRecipients: intFrom(env, 'SMTP_MAX_RECIPIENTS', 10, 100, 1),
  };
}

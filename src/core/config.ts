import path from 'node:path';
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
  };
}

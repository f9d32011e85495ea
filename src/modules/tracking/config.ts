import { DEFAULT_LINK_CACHE_TTL_MS } from './link-cache.js';

export interface TrackingConfig {
  /** LINK_CACHE_TTL_MS: how long an instance reuses a link lookup; a disable or a closure elsewhere takes effect within it. */
  linkCacheTtlMs: number;
}

export function loadTrackingConfig(env: NodeJS.ProcessEnv = process.env): TrackingConfig {
  const raw = env.LINK_CACHE_TTL_MS;
  if (raw === undefined || raw === '') return { linkCacheTtlMs: DEFAULT_LINK_CACHE_TTL_MS };
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 600_000) {
    throw new Error(`LINK_CACHE_TTL_MS must be an integer number of milliseconds from 0 to 600000, got "${raw}".`);
  }
  return { linkCacheTtlMs: value };
}

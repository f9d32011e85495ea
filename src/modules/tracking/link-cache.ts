import { performance } from 'node:perf_hooks';
import { isLandingUrlAllowed } from '../programs/landing-domains.js';
import { redirectTemplate, type RedirectTemplate } from './landing-url.js';
import type { ClickTarget } from './queries.js';

/**
 * A link as the click path uses it: the row plus what each click would otherwise
 * compute, decided once per lookup: the redirect, and whether the landing URL is
 * within the program's allowed domains (a click then only reads a boolean).
 */
export interface ResolvedLink extends Omit<ClickTarget, 'landingDomains'> {
  redirect: RedirectTemplate;
  landingAllowed: boolean;
}

export function resolveLink({ landingDomains, ...target }: ClickTarget): ResolvedLink {
  return { ...target, redirect: redirectTemplate(target.landingUrl), landingAllowed: isLandingUrlAllowed(target.landingUrl, landingDomains) };
}

export interface LinkCacheOptions {
  /** How long a lookup (found or not) is reused; 0 turns the cache off. */
  ttlMs: number;
  /** Bound on the number of codes held, so random codes cannot grow memory without end. */
  maxEntries?: number;
  /** Monotonic milliseconds; injectable for tests. */
  nowMs?: () => number;
}

interface Entry {
  link: ResolvedLink | undefined;
  expiresAtMs: number;
}

export const DEFAULT_LINK_CACHE_TTL_MS = 2_000;
const DEFAULT_MAX_ENTRIES = 100_000;

/**
 * An in-process cache of link lookups by code, so that a click costs no read query.
 * The price is staleness: a link disabled, a partner account closed or a program's
 * landing domains changed on another instance is seen here within ttlMs. The instance that makes the change invalidates
 * its own entry at once. Unknown codes are cached too, so that guessing codes does not
 * turn into one query per request; concurrent misses for one code share one query.
 * Cache freshness is infrastructure time (monotonic), not business time (the clock).
 */
export class LinkCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<ResolvedLink | undefined>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly nowMs: () => number;

  constructor(
    private readonly load: (code: string) => Promise<ClickTarget | undefined>,
    options: LinkCacheOptions,
  ) {
    this.ttlMs = options.ttlMs;
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.nowMs = options.nowMs ?? (() => performance.now());
  }

  get(code: string): Promise<ResolvedLink | undefined> {
    const entry = this.entries.get(code);
    if (entry) {
      if (entry.expiresAtMs > this.nowMs()) return Promise.resolve(entry.link);
      this.entries.delete(code);
    }
    const pending = this.loading.get(code);
    if (pending) return pending;
    const loaded = this.load(code)
      .then((target) => {
        const link = target && resolveLink(target);
        // An invalidation while the query ran makes its answer suspect: do not keep it.
        if (this.ttlMs > 0 && this.loading.get(code) === loaded) this.remember(code, link);
        return link;
      })
      .finally(() => {
        if (this.loading.get(code) === loaded) this.loading.delete(code);
      });
    this.loading.set(code, loaded);
    return loaded;
  }

  invalidate(code: string): void {
    this.entries.delete(code);
    this.loading.delete(code);
  }

  get size(): number {
    return this.entries.size;
  }

  private remember(code: string, link: ResolvedLink | undefined): void {
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(code, { link, expiresAtMs: this.nowMs() + this.ttlMs });
  }
}

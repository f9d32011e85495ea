import { describe, expect, it } from 'vitest';
import { LinkCache } from '../../src/modules/tracking/link-cache.js';
import type { ClickTarget } from '../../src/modules/tracking/queries.js';

function target(landingUrl = 'https://shop.example/?a=1#f', landingDomains = ['shop.example']): ClickTarget {
  return { linkId: 1, programId: 2, partnerAccountId: 3, landingUrl, disabled: false, partnerClosed: false, landingDomains };
}

function cacheWith(load: (code: string) => Promise<ClickTarget | undefined>, ttlMs = 2_000) {
  let now = 0;
  const cache = new LinkCache(load, { ttlMs, maxEntries: 3, nowMs: () => now });
  return { cache, advance: (ms: number) => (now += ms) };
}

describe('LinkCache', () => {
  it('reuses a lookup within the TTL and reloads after it', async () => {
    let loads = 0;
    const { cache, advance } = cacheWith(async () => {
      loads++;
      return target();
    });
    const link = await cache.get('AAAAAAAAAAAA');
    expect(link?.redirect).toEqual({ head: 'https://shop.example/?a=1&lsclickid=', tail: '#f' });
    await cache.get('AAAAAAAAAAAA');
    advance(1_999);
    await cache.get('AAAAAAAAAAAA');
    expect(loads).toBe(1);
    advance(1);
    await cache.get('AAAAAAAAAAAA');
    expect(loads).toBe(2);
  });

  it('caches unknown codes too, and shares one query between concurrent misses', async () => {
    let loads = 0;
    const { cache } = cacheWith(async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return undefined;
    });
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.get('BBBBBBBBBBBB')));
    expect(results.every((r) => r === undefined)).toBe(true);
    await cache.get('BBBBBBBBBBBB');
    expect(loads).toBe(1);
  });

  it('invalidate() forgets at once, including an answer still being loaded', async () => {
    let disabled = false;
    let release: () => void = () => undefined;
    const { cache } = cacheWith(async () => {
      const snapshot = { ...target(), disabled };
      await new Promise<void>((resolve) => (release = resolve));
      return snapshot;
    });
    const stale = cache.get('CCCCCCCCCCCC');
    disabled = true;
    cache.invalidate('CCCCCCCCCCCC');
    release();
    expect((await stale)?.disabled).toBe(false);
    const fresh = cache.get('CCCCCCCCCCCC');
    release();
    expect((await fresh)?.disabled).toBe(true);
  });

  it('decides once per lookup whether the landing URL is within the landing domains, and keeps no list per entry', async () => {
    let domains = ['shop.example'];
    const { cache, advance } = cacheWith(async () => target('https://shop.example:8443/p', domains));
    const allowed = await cache.get('EEEEEEEEEEEE');
    expect(allowed).toMatchObject({ landingAllowed: true, landingUrl: 'https://shop.example:8443/p' });
    expect(allowed).not.toHaveProperty('landingDomains');
    domains = ['*.shop.example'];
    expect((await cache.get('EEEEEEEEEEEE'))?.landingAllowed).toBe(true); // still cached
    advance(2_000);
    expect((await cache.get('EEEEEEEEEEEE'))?.landingAllowed).toBe(false);
  });

  it('holds at most maxEntries codes', async () => {
    const { cache } = cacheWith(async () => undefined);
    for (const code of ['a00000', 'a00001', 'a00002', 'a00003', 'a00004']) await cache.get(code);
    expect(cache.size).toBe(3);
  });

  it('with a TTL of 0, every lookup queries', async () => {
    let loads = 0;
    const { cache } = cacheWith(async () => {
      loads++;
      return target();
    }, 0);
    await cache.get('DDDDDDDDDDDD');
    await cache.get('DDDDDDDDDDDD');
    expect(loads).toBe(2);
  });
});

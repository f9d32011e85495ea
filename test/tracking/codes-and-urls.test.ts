import { describe, expect, it } from 'vitest';
import { CLICK_ID_LENGTH, isWellFormedLinkCode, newClickId, newLinkCode, randomBase62 } from '../../src/modules/tracking/codes.js';
import { hashIp } from '../../src/modules/tracking/ip-hash.js';
import { normalizeLandingUrlOrThrow, redirectLocation, redirectTemplate } from '../../src/modules/tracking/landing-url.js';

describe('codes', () => {
  it('link codes and click ids are base62, of fixed length, and do not repeat', () => {
    const codes = new Set(Array.from({ length: 10_000 }, () => newLinkCode()));
    expect(codes.size).toBe(10_000);
    for (const code of codes) expect(isWellFormedLinkCode(code)).toBe(true);
    const at = new Date('2026-12-02T10:00:00.000Z');
    const ids = new Set(Array.from({ length: 10_000 }, () => newClickId(at)));
    expect(ids.size).toBe(10_000);
    for (const id of ids) expect(id).toMatch(new RegExp(`^[0-9A-Za-z]{${CLICK_ID_LENGTH}}$`));
  });

  it('click ids sort by their time in byte order, and differ after the time part', () => {
    const times = ['1970-01-01T00:00:00.000Z', '2001-09-09T01:46:39.999Z', '2026-12-02T10:00:00.000Z', '2026-12-02T10:00:00.001Z', '2026-12-02T10:00:00.062Z', '2100-01-01T00:00:00.000Z', '8000-01-01T00:00:00.000Z'];
    const ids = times.map((t) => newClickId(new Date(t)));
    const byteOrder = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(byteOrder).toEqual(ids);
    // Same millisecond: same 8-character prefix, random rest.
    const a = newClickId(new Date(times[2]!));
    const b = newClickId(new Date(times[2]!));
    expect(a.slice(0, 8)).toBe(b.slice(0, 8));
    expect(a.slice(8)).not.toBe(b.slice(8));
    expect(() => newClickId(new Date(-1))).toThrow(RangeError);
    expect(() => newClickId(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('draws random characters from the whole alphabet about equally', () => {
    const counts = new Map<string, number>();
    for (const c of randomBase62(30_000)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = 30_000 / 62;
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.25);
  });

  it.each(['', 'abc', 'a'.repeat(33), 'abc-def', 'abc def', 'abc/def', '..%2F..', 'ÄÖÜäöü', 'abcdef\0'])('%j is not a well-formed code', (code) => {
    expect(isWellFormedLinkCode(code)).toBe(false);
  });
});

describe('landing URLs and redirects', () => {
  it.each([
    ['https://a.example', 'https://a.example/?lsclickid=X'],
    ['https://a.example/p?x=1', 'https://a.example/p?x=1&lsclickid=X'],
    ['https://a.example/p?x=1#h', 'https://a.example/p?x=1&lsclickid=X#h'],
    ['https://a.example/p#h?x', 'https://a.example/p?lsclickid=X#h?x'],
    ['https://a.example/p?#', 'https://a.example/p?lsclickid=X#'],
    ['https://a.example/p?a=%26b', 'https://a.example/p?a=%26b&lsclickid=X'],
  ])('%s → %s', (landing, expected) => {
    expect(redirectLocation(redirectTemplate(normalizeLandingUrlOrThrow(landing)), 'X')).toBe(expected);
  });

  it('hashes an IPv4-mapped address like the plain IPv4 address', () => {
    expect(hashIp('k', '::ffff:192.0.2.1')).toBe(hashIp('k', '192.0.2.1'));
    expect(hashIp('k', '192.0.2.1')).not.toBe(hashIp('other key', '192.0.2.1'));
    expect(hashIp('k', '192.0.2.1')).toMatch(/^[0-9a-f]{64}$/);
  });
});

import { createHmac } from 'node:crypto';
import net from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { expireContract } from '../../src/modules/contracts/expire-contract.js';
import { describeDb } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { clickRows, closeAccount, createLinkOk, makeTrackingWorld } from './support.js';

describeDb('click redirect', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  const click = (path: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: path, headers });

  function clickIdOf(location: string): string {
    const id = new URL(location).searchParams.get('lsclickid');
    expect(id).toMatch(/^[0-9A-Za-z]{22}$/);
    return id!;
  }

  it('records the click and answers 302 with lsclickid appended', async () => {
    // Behind a proxy on this host (TRUST_PROXY=loopback), X-Forwarded-For names the visitor.
    await t.close();
    t = await startTestApp(db(), { trustProxy: { kind: 'addresses', addresses: ['loopback'] } });
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id, 'https://shop.example/tents');
    const response = await click(`/c/${link.Code}`, {
      'x-forwarded-for': '203.0.113.7',
      'user-agent': 'Mozilla/5.0 (Test)',
      referer: 'https://blog.example/post?id=1',
    });
    expect(response.statusCode).toBe(302);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-robots-tag']).toBe('noindex');
    const location = String(response.headers.location);
    const clickId = clickIdOf(location);
    expect(location).toBe(`https://shop.example/tents?lsclickid=${clickId}`);

    const rows = await clickRows(t.ctx, link.Id);
    expect(rows).toHaveLength(1);
    const key = (await t.ctx.db.query<{ value: string }>(`select value from instance_settings where key = 'ip_hash_key'`)).rows[0]!.value;
    expect(rows[0]).toMatchObject({
      click_id: clickId,
      link_id: link.Id,
      program_id: w.program.id,
      partner_account_id: w.partner.id,
      ip_hash: createHmac('sha256', key).update('203.0.113.7').digest('hex'),
      user_agent: 'Mozilla/5.0 (Test)',
      referrer: 'https://blog.example/post?id=1',
      credit_status: null,
    });
    expect(rows[0]!.at.toISOString()).toBe('2026-01-15T12:00:00.000Z');
    // The raw address is stored nowhere in the row.
    expect(JSON.stringify(rows[0])).not.toContain('203.0.113.7');
    expect((await w.partnerClient.get(`/api/v1/links/${link.Id}`)).json().ClickCount).toBe(1);
  });

  it.each([
    ['https://shop.example/', 'https://shop.example/?lsclickid=ID'],
    ['https://shop.example/p?a=1&b=x%20y', 'https://shop.example/p?a=1&b=x%20y&lsclickid=ID'],
    ['https://shop.example/p?a=1&', 'https://shop.example/p?a=1&lsclickid=ID'],
    ['https://shop.example/p?', 'https://shop.example/p?lsclickid=ID'],
    ['https://shop.example/p#section-2', 'https://shop.example/p?lsclickid=ID#section-2'],
    ['https://shop.example/p?q=tents#frag?x=1&y', 'https://shop.example/p?q=tents&lsclickid=ID#frag?x=1&y'],
    ['https://shop.example/p?redirect=https%3A%2F%2Fa.example%2F%3Fx%3D1', 'https://shop.example/p?redirect=https%3A%2F%2Fa.example%2F%3Fx%3D1&lsclickid=ID'],
    ['http://shop.example:8080/a+b?plus=a+b', 'http://shop.example:8080/a+b?plus=a+b&lsclickid=ID'],
  ])('appends the click id to %s', async (landingUrl, expected) => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id, landingUrl);
    const response = await click(`/c/${link.Code}`);
    expect(response.statusCode).toBe(302);
    const location = String(response.headers.location);
    expect(location).toBe(expected.replace('ID', clickIdOf(location)));
  });

  it('gives every click its own id and ignores a query string on the tracking URL', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id);
    const first = await click(`/c/${link.Code}`);
    const second = await click(`/c/${link.Code}?lsclickid=forged&x=1`);
    expect(clickIdOf(String(first.headers.location))).not.toBe(clickIdOf(String(second.headers.location)));
    expect(String(second.headers.location)).not.toContain('forged');
    expect(await clickRows(t.ctx, link.Id)).toHaveLength(2);
  });

  it('bounds the stored user agent (512) and referrer (2,000), and stores null when absent', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id);
    await click(`/c/${link.Code}`, { 'user-agent': 'U'.repeat(5_000), referer: `https://r.example/${'r'.repeat(5_000)}` });
    await t.app.inject({ method: 'GET', url: `/c/${link.Code}`, headers: { 'user-agent': '' } });
    const rows = await clickRows(t.ctx, link.Id);
    const long = rows.find((row) => row.user_agent !== null)!;
    expect(long.user_agent).toHaveLength(512);
    expect(long.referrer).toHaveLength(2_000);
    const bare = rows.find((row) => row.user_agent === null)!;
    expect(bare.referrer).toBeNull();
  });

  it.each([
    ['unknown code', '/c/AAAAAAAAAAAA'],
    ['too short', '/c/abc'],
    ['very long', `/c/${'a'.repeat(5_000)}`],
    ['long but param-sized', `/c/${'a'.repeat(90)}`],
    ['NUL byte', '/c/%00'],
    ['NUL inside a code', '/c/abcdef%00ghij'],
    ['encoded dot-dot-slash', '/c/..%2F..%2Fetc%2Fpasswd'],
    ['encoded dot-dot', '/c/%2E%2E%2Fapi'],
    ['unicode', '/c/%E2%9C%93%E2%9C%93%E2%9C%93%E2%9C%93%E2%9C%93%E2%9C%93'],
    ['raw unicode', '/c/ÄÖÜäöüßéèê'],
    ['script', '/c/%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
    ['empty code', '/c/'],
    ['no code', '/c'],
    ['extra segment', '/c/AAAAAAAAAAAA/extra'],
    ['SQL', "/c/a'%20or%20'1'='1"],
  ])('answers a small HTML 404 page, never a 500 (%s)', async (_name, path) => {
    const response = await click(path);
    expect(response.statusCode, `${path}: ${response.body.slice(0, 200)}`).toBe(404);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('Link not found');
    expect(response.body).not.toMatch(/<script|https?:\/\/(?!www\.w3)/);
    expect(response.body.length).toBeLessThan(2_000);
    expect(response.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'unsafe-inline'/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(await clickRows(t.ctx)).toEqual([]);
  });

  // Clients normalize dot segments before sending (and so does inject), so these are sent
  // byte for byte over a socket, the way a hand-made request would arrive.
  it.each([
    ['/c/..', 404],
    ['/c/../', 404],
    ['/c/../../api/v1/links', 404],
    ['/c/%00', 404],
    ['/c/%zz', 404],
    ['/c/abcdef%E2%28ghij', 404],
    // Raw non-ASCII in the request line: Node's HTTP parser refuses it before the app sees it.
    [`/c/${'é'.repeat(50)}`, 400],
  ])('raw request %s: %i, never a 500', async (path, status) => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      });
      let data = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    // A broken percent-encoding is refused before routing; the app still answers with the link page.
    expect(raw.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Bad Request'}`);
    if (status === 404) expect(raw).toContain('Link not found');
    expect(await clickRows(t.ctx)).toEqual([]);
  });

  it('over a real socket (the fast path in front of Fastify): the same answers and rows as through the routes', async () => {
    // The app behind two proxies: one on this host, one in 10.0.0.0/8.
    await t.close();
    t = await startTestApp(db(), { trustProxy: { kind: 'addresses', addresses: ['loopback', '10.0.0.0/8'] } });
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id, 'https://shop.example/p?a=1#top');
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${address}${path}`, { redirect: 'manual', headers });
    const answeredInFront = async () => {
      const text = await (await get('/metrics')).text();
      return Number(/^lockstep_click_duration_seconds_count (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
    };
    const answeredBefore = await answeredInFront();

    const redirected = await get(`/c/${link.Code}?utm=x`, {
      'x-forwarded-for': '198.51.100.9, 10.0.0.1',
      'user-agent': 'Socket/1.0',
      referer: 'https://blog.example/',
    });
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('cache-control')).toBe('no-store');
    expect(redirected.headers.get('referrer-policy')).toBe('no-referrer');
    expect(redirected.headers.get('x-content-type-options')).toBe('nosniff');
    expect(redirected.headers.get('x-robots-tag')).toBe('noindex');
    const location = redirected.headers.get('location')!;
    const clickId = clickIdOf(location);
    expect(location).toBe(`https://shop.example/p?a=1&lsclickid=${clickId}#top`);
    const key = (await t.ctx.db.query<{ value: string }>(`select value from instance_settings where key = 'ip_hash_key'`)).rows[0]!.value;
    expect(await clickRows(t.ctx, link.Id)).toMatchObject([
      {
        click_id: clickId,
        // The nearest X-Forwarded-For address not added by a trusted proxy, as Fastify's request.ip gives the routes.
        ip_hash: createHmac('sha256', key).update('198.51.100.9').digest('hex'),
        user_agent: 'Socket/1.0',
        referrer: 'https://blog.example/',
      },
    ]);
    // Without X-Forwarded-For: the peer's address.
    const direct = await get(`/c/${link.Code}`);
    expect(direct.status).toBe(302);
    const directRow = (await clickRows(t.ctx, link.Id)).find((row) => row.click_id === clickIdOf(direct.headers.get('location')!));
    expect(directRow?.ip_hash).toBe(createHmac('sha256', key).update('127.0.0.1').digest('hex'));

    const unknown = await get('/c/AAAAAAAAAAAA');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(unknown.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(await unknown.text()).toContain('Link not found');
    // Not the click path's business: other methods and the API still go to Fastify.
    expect((await fetch(`${address}/c/${link.Code}`, { method: 'POST', redirect: 'manual' })).status).toBe(404);
    expect((await get('/health')).status).toBe(200);
    // The three answers given in front of Fastify are timed in their own histogram.
    expect((await answeredInFront()) - answeredBefore).toBe(3);
  });

  it('without TRUST_PROXY, X-Forwarded-For is the client\'s own text and is ignored (the peer address counts)', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id);
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const spoofed = await fetch(`${address}/c/${link.Code}`, { redirect: 'manual', headers: { 'x-forwarded-for': '203.0.113.99' } });
    expect(spoofed.status).toBe(302);
    const routed = await click(`/c/${link.Code}`, { 'x-forwarded-for': '203.0.113.98' });
    expect(routed.statusCode).toBe(302);
    const key = (await t.ctx.db.query<{ value: string }>(`select value from instance_settings where key = 'ip_hash_key'`)).rows[0]!.value;
    const rows = await clickRows(t.ctx, link.Id);
    expect(rows.map((row) => row.ip_hash)).toEqual([createHmac('sha256', key).update('127.0.0.1').digest('hex'), createHmac('sha256', key).update('127.0.0.1').digest('hex')]);
  });

  it('a disabled link answers 404 and records nothing (at once, on the instance that disabled it)', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id);
    expect((await click(`/c/${link.Code}`)).statusCode).toBe(302); // now cached
    expect((await w.partnerClient.post(`/api/v1/links/${link.Id}/disable`)).statusCode).toBe(200);
    const response = await click(`/c/${link.Code}`);
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('Link not found');
    expect(await clickRows(t.ctx, link.Id)).toHaveLength(1);
  });

  it('a closed partner account: 410 "This link has expired" and nothing recorded', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id);
    await closeAccount(t.ctx, w.partner.id);
    const response = await click(`/c/${link.Code}`, { 'user-agent': 'x' });
    expect(response.statusCode).toBe(410);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('This link has expired');
    expect(response.headers.location).toBeUndefined();
    expect(await clickRows(t.ctx)).toEqual([]);
  });

  it('an expired contract: the click is still recorded and redirected', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id);
    await expireContract(t.ctx, w.brand.actor, w.contractId, {});
    db().clock.advanceDays(3);
    const response = await click(`/c/${link.Code}`);
    expect(response.statusCode).toBe(302);
    const rows = await clickRows(t.ctx, link.Id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.click_id).toBe(clickIdOf(String(response.headers.location)));
    expect(rows[0]!.at.toISOString()).toBe('2026-01-18T12:00:00.000Z');
  });

  it('HEAD (link checkers, previews) answers like a click but records nothing', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id, 'https://shop.example/p?a=1');
    const head = await t.app.inject({ method: 'HEAD', url: `/c/${link.Code}` });
    expect(head.statusCode).toBe(302);
    expect(head.headers.location).toBe('https://shop.example/p?a=1');
    expect((await t.app.inject({ method: 'HEAD', url: '/c/AAAAAAAAAAAA' })).statusCode).toBe(404);
    expect(await clickRows(t.ctx)).toEqual([]);
  });

  it('is public and not subject to the API rate limit', async () => {
    await t.close();
    t = await startTestApp(db(), { rateLimitMax: 5 });
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id);
    const answers = await Promise.all(Array.from({ length: 20 }, () => click(`/c/${link.Code}`)));
    expect(answers.map((r) => r.statusCode)).toEqual(Array(20).fill(302));
  });

  it('a burst of 200 concurrent clicks: 200 redirects, 200 distinct rows', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const links = [await createLinkOk(w.partnerClient, w.program.id), await createLinkOk(w.partnerClient, w.program.id)];
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => click(`/c/${links[i % 2]!.Code}`, { 'x-forwarded-for': `198.51.100.${i}` })),
    );
    expect(answers.map((r) => r.statusCode)).toEqual(Array(200).fill(302));
    const ids = answers.map((r) => clickIdOf(String(r.headers.location)));
    expect(new Set(ids).size).toBe(200);
    const rows = await clickRows(t.ctx);
    expect(rows).toHaveLength(200);
    expect(new Set(rows.map((row) => row.click_id))).toEqual(new Set(ids));
    expect(rows.filter((row) => row.link_id === links[0]!.Id)).toHaveLength(100);
  });

  it('when the click cannot be stored: 503 page, no redirect', async () => {
    const w = await makeTrackingWorld(t.app, t.ctx);
    const link = await createLinkOk(w.partnerClient, w.program.id);
    expect((await click(`/c/${link.Code}`)).statusCode).toBe(302); // link now cached
    await t.ctx.db.query('alter table clicks add constraint no_clicks_now check (false) not valid');
    const answers = await Promise.all([1, 2, 3].map(() => click(`/c/${link.Code}`)));
    for (const response of answers) {
      expect(response.statusCode).toBe(503);
      expect(response.headers.location).toBeUndefined();
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('Temporarily unavailable');
    }
    expect(await clickRows(t.ctx)).toHaveLength(1);
  });
});

/**
 * Input the database cannot hold, and requests from where they should not come: each is
 * a 4xx problem that says what is wrong, never a 500, and nothing stored changes.
 */
import net from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Db, QueryOptions } from '../../src/db/types.js';
import { conversionsWithTheirActions } from '../../src/db/migrations/0004-conversions-with-their-actions.js';
import { recordConversions } from '../../src/modules/conversions/record-conversions.js';
import { makeClick, makeSaleAction, nextOrderId } from '../support/actions.js';
import { clientFor, makeActionWorld, type ActionWorld } from '../support/action-helpers.js';
import { countRows, dumpDb, expectDbUnchanged, expectOk, expectProblem, issueToken } from '../support/api-helpers.js';
import { Client, makeOperator, startTestApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';

describeDb('hardening: text, numbers and dates the database cannot hold', (db) => {
  let t: TestApp;
  let w: ActionWorld;
  let brand: Client;
  let partner: Client;
  beforeEach(async () => {
    t = await startTestApp(db());
    w = await makeActionWorld(t.ctx, db().clock);
    brand = await clientFor(t, w.brand.adminUserId, w.brand.id);
    partner = await clientFor(t, w.partner.adminUserId, w.partner.id);
  });
  afterEach(async () => t.close());

  const conversion = async (overrides: Record<string, unknown> = {}) => ({
    ActionTrackerId: w.program.saleEventTypeId,
    OrderId: nextOrderId(),
    EventDate: t.ctx.clock.now().toISOString(),
    ClickId: await makeClick(t.ctx, w.partner, w.program, new Date(t.ctx.clock.now().getTime() - 60_000)),
    Amount: '10.00',
    ...overrides,
  });

  it('a NUL or a lone surrogate anywhere in a body, a query or a path is a 400 naming the field, for every caller', async () => {
    const anonymous = new Client(t.app);
    const cases: Array<[Client, Parameters<Client['request']>[0], string]> = [
      [anonymous, { method: 'POST', url: '/api/v1/session', payload: { Email: 'a\u0000@example.test', Password: 'x' } }, 'body.Email'],
      [anonymous, { method: 'POST', url: '/api/v1/session', payload: { Email: '\ud800@example.test', Password: 'x' } }, 'body.Email'],
      [brand, { method: 'GET', url: '/api/v1/actions?orderId=%00' }, 'query.orderId'],
      [brand, { method: 'GET', url: '/api/v1/conversions?orderId=A%00B' }, 'query.orderId'],
      [anonymous, { method: 'GET', url: '/api/v1/invitations/abcdefghijk%00' }, 'params.token'],
      [brand, { method: 'POST', url: '/api/v1/programs', payload: { Name: 'Shop\u0000', Currency: 'USD', TimeZone: 'UTC' } }, 'body.Name'],
      [brand, { method: 'POST', url: `/api/v1/programs/${w.program.id}/event-types`, payload: { Name: 'Sale\udfff', Kind: 'SALE' } }, 'body.Name'],
      [partner, { method: 'POST', url: '/api/v1/links', payload: { CampaignId: w.program.id, LandingUrl: 'https://shop.example/', Label: 'x\u0000' } }, 'body.Label'],
      [brand, { method: 'POST', url: '/api/v1/conversions', payload: await conversion({ Items: [{ Sku: 'A\u0000', Quantity: 1, Amount: '10.00' }], Amount: undefined }) }, 'body.Items.0.Sku'],
      [brand, { method: 'POST', url: '/api/v1/conversions', payload: await conversion({ Items: [{ Category: '\ud83d', Quantity: 1, Amount: '10.00' }], Amount: undefined }) }, 'body.Items.0.Category'],
      [brand, { method: 'POST', url: '/api/v1/conversions', payload: await conversion({ ClickId: 'abc\u0000' }) }, 'body.ClickId'],
      [brand, { method: 'POST', url: '/api/v1/conversions', payload: await conversion({ OrderId: 'A-\ud800' }) }, 'body.OrderId'],
    ];
    const before = await dumpDb(t.ctx.db);
    for (const [client, request, field] of cases) {
      const body = expectProblem(await client.request(request), 400, field);
      expect(body.errors?.[0]?.field, JSON.stringify(request)).toBe(field);
    }
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('an OrderId with a lone surrogate is refused, so its retries are refused the same way, never a false conflict', async () => {
    const payload = await conversion({ OrderId: 'ORDER-\ud800' });
    for (let attempt = 0; attempt < 2; attempt++) expectProblem(await brand.post('/api/v1/conversions', payload), 400, 'body.OrderId');
    // The service refuses such text too (files and channels call it without this edge).
    const [result] = await recordConversions(t.ctx, w.brand.actor, [payload as never]);
    expect(result).toMatchObject({ status: 'INVALID', message: expect.stringContaining('OrderId holds a NUL character or a lone UTF-16 surrogate') });
    expect(await countRows(t.ctx.db, 'select * from conversions')).toBe(0);
  });

  it('a conversion the database would store under another OrderId is not kept without its action: the chunk rolls back', async () => {
    // Fault injection: the database answers the insert with a changed OrderId, as one
    // holding a lone surrogate came back (with U+FFFD) before such text was refused.
    const mangling: Db = {
      ...t.ctx.db,
      transaction: (fn) =>
        t.ctx.db.transaction((tx) =>
          fn({
            ...tx,
            query: async <T,>(text: string, params?: unknown[], options?: QueryOptions) => {
              const result = await tx.query<T>(text, params, options);
              if (/^\s*insert into conversions/.test(text)) {
                for (const row of result.rows as Array<{ orderId: string }>) row.orderId = `${row.orderId}\ufffd`;
              }
              return result;
            },
          }),
        ),
    };
    const payload = await conversion();
    await expect(recordConversions({ ...t.ctx, db: mangling }, w.brand.actor, [payload as never])).rejects.toThrow(/stored under another OrderId/);
    expect(await countRows(t.ctx.db, 'select * from conversions')).toBe(0);
    // Without the fault the same conversion is recorded with its action.
    const [result] = await recordConversions(t.ctx, w.brand.actor, [payload as never]);
    expect(result).toMatchObject({ status: 'ACCEPTED', actionId: expect.any(String) });
  });

  it('migration 0004 turns an accepted conversion left without its action into a rejected one, and reports it', async () => {
    const actionId = await makeSaleAction(t.ctx, w.brand, w.partner, w.program);
    const { rows } = await t.ctx.db.query<{ id: string }>(
      `insert into conversions (brand_account_id, program_id, event_type_id, order_id, request_hash, event_at, currency,
                                amount_minor, status, created_at)
       values ($1, $2, $3, 'BROKEN-\ufffd', 'h', now(), 'USD', 1000, 'ACCEPTED', now()) returning id::text`,
      [w.brand.id, w.program.id, w.program.saleEventTypeId],
    );
    const orphanId = rows[0]!.id;
    await t.ctx.db.exec(conversionsWithTheirActions.sql);
    const { rows: after } = await t.ctx.db.query<{ id: string; status: string; reason: string | null }>(
      'select id::text, status, reject_reason as reason from conversions order by id',
    );
    expect(after.find((c) => c.id === orphanId)).toMatchObject({ status: 'REJECTED', reason: 'INCOMPLETE_RECORD' });
    // The healthy conversion, with its action, is untouched.
    expect(after.filter((c) => c.id !== orphanId)).toEqual([expect.objectContaining({ status: 'ACCEPTED', reason: null })]);
    expect(await countRows(t.ctx.db, "select * from audit_events where action = 'conversion.repaired' and subject = $1", [`conversion:${orphanId}`])).toBe(1);
    expect(await countRows(t.ctx.db, 'select * from actions where id = $1', [actionId.toString()])).toBe(1);
    // The brand sees it among its rejected conversions.
    const listed = expectOk(await brand.get('/api/v1/conversions?status=REJECTED'));
    expect(listed.Items).toEqual([expect.objectContaining({ Id: orphanId, RejectReason: 'INCOMPLETE_RECORD' })]);
  });

  it('ids beyond the integer columns are a 400 naming the field, in filters, exports, bodies and paths', async () => {
    const operator = await makeOperator(t.ctx);
    const operatorClient = await clientFor(t, operator.userId);
    const actionId = await makeSaleAction(t.ctx, w.brand, w.partner, w.program);
    const big = '2147483648';
    const cases: Array<[Client, Parameters<Client['request']>[0], string]> = [
      [brand, { method: 'GET', url: `/api/v1/actions?programId=${big}` }, 'programId'],
      [brand, { method: 'GET', url: `/api/v1/actions?partnerId=9007199254740991` }, 'partnerId'],
      [brand, { method: 'GET', url: `/api/v1/actions?actionTrackerId=${big}` }, 'actionTrackerId'],
      [brand, { method: 'GET', url: `/api/v1/actions/export.csv?programId=${big}` }, 'programId'],
      [brand, { method: 'GET', url: `/api/v1/contracts?programId=${big}` }, 'programId'],
      [brand, { method: 'GET', url: `/api/v1/contracts/export.xlsx?partnerAccountId=${big}` }, 'partnerAccountId'],
      [partner, { method: 'POST', url: '/api/v1/contracts', payload: { TemplateTermsId: 2 ** 53 - 1 } }, 'TemplateTermsId'],
      [brand, { method: 'POST', url: '/api/v1/conversions', payload: await conversion({ ActionTrackerId: 2 ** 31 }) }, 'ActionTrackerId'],
      [brand, { method: 'POST', url: `/api/v1/actions/${actionId}/reject-item`, payload: { ItemIndex: 2 ** 40, Reason: 'ITEM_RETURNED' } }, 'ItemIndex'],
      [operatorClient, { method: 'POST', url: `/api/v1/operator/actions/${actionId}/reattribute`, payload: { MediaPartnerId: 2 ** 31, Reason: 'CREDITED_DIFFERENT_MP' } }, 'MediaPartnerId'],
      [brand, { method: 'GET', url: `/api/v1/contracts/${big}` }, 'id'],
    ];
    const before = await dumpDb(t.ctx.db);
    for (const [client, request, field] of cases) expectProblem(await client.request(request), 400, field);
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('a batch refuses its bad rows, each with what is wrong, and records the others', async () => {
    const good = [await conversion(), await conversion()];
    const response = await brand.post('/api/v1/conversions/batch', {
      Conversions: [good[0], { ...(await conversion()), ActionTrackerId: 2 ** 31 }, { OrderId: 7 }, 'not an object', good[1], { ...(await conversion()), Surprise: 1 }],
    });
    const body = expectOk(response);
    expect(body).toMatchObject({ Accepted: 2, Invalid: 4 });
    expect(body.Results.map((r: { Status: string }) => r.Status)).toEqual(['ACCEPTED', 'INVALID', 'INVALID', 'INVALID', 'ACCEPTED', 'INVALID']);
    expect(body.Results[1].Message).toMatch(/^Conversions\[1\]\.ActionTrackerId: /);
    expect(body.Results[2].Message).toMatch(/Conversions\[2\]\.ActionTrackerId: .*Conversions\[2\]\.OrderId: /);
    expect(body.Results[3].Message).toMatch(/^Conversions\[3\]: /);
    expect(body.Results[5].Message).toContain('unknown field(s): Surprise');
    expect(await countRows(t.ctx.db, 'select * from actions')).toBe(2);
  });

  it('dates outside 1970-2999 in filters, and an expiry beyond 100 years, are a 400', async () => {
    const before = await dumpDb(t.ctx.db);
    for (const url of [
      '/api/v1/actions?from=0000-01-01T00:00:00Z',
      '/api/v1/actions?to=9999-12-31T23:59:59Z',
      '/api/v1/conversions?from=0000-01-01T00:00:00Z',
      '/api/v1/actions/export.pdf?to=3000-01-01T00:00:00Z',
    ]) {
      expectProblem(await brand.get(url), 400, 'must be a date from 1970 to 2999');
    }
    expectOk(await brand.get('/api/v1/actions?from=1970-01-01T00:00:00Z&to=2999-12-31T23:59:59Z'));
    expectProblem(await brand.post(`/api/v1/contracts/${w.contractId}/expire`, { On: '9999-12-31' }), 400, 'more than 100 years ahead');
    expectProblem(await brand.post(`/api/v1/contracts/${w.contractId}/expire`, { On: '2026-02-30' }), 400, 'not a valid calendar date');
    await expectDbUnchanged(t.ctx.db, before);
  });
});

describeDb('hardening: where requests come from', (db) => {
  let t: TestApp;
  afterEach(async () => t.close());

  it('rate limits ignore X-Forwarded-For unless TRUST_PROXY names the peer', async () => {
    t = await startTestApp(db(), { rateLimitMax: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { 'x-forwarded-for': `203.0.113.${i}` } })).statusCode);
    }
    expect(statuses).toEqual([401, 401, 429]);
    await t.close();
    // app.inject's peer is 127.0.0.1: trusted, its X-Forwarded-For names the client.
    t = await startTestApp(db(), { rateLimitMax: 2, trustProxy: { kind: 'addresses', addresses: ['127.0.0.1'] } });
    const trusted = [];
    for (let i = 0; i < 3; i++) {
      trusted.push((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { 'x-forwarded-for': `203.0.113.${i}` } })).statusCode);
    }
    expect(trusted).toEqual([401, 401, 401]);
  });

  it('a state-changing request from another site is refused, a body-less POST in another media type is a 415', async () => {
    t = await startTestApp(db());
    const w = await makeActionWorld(t.ctx, db().clock);
    const brand = await clientFor(t, w.brand.adminUserId, w.brand.id);
    const token = await issueToken(brand);
    const before = await dumpDb(t.ctx.db);
    const rotate = `/api/v1/credentials/${token.id}/rotate`;
    expectProblem(await brand.request({ method: 'POST', url: rotate, headers: { origin: 'https://evil.example' } }), 403, 'another site');
    expectProblem(await brand.request({ method: 'POST', url: rotate, headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'another site');
    expectProblem(await brand.request({ method: 'POST', url: rotate, headers: { 'content-type': 'text/plain' }, payload: '' }), 415);
    expectProblem(await brand.request({ method: 'POST', url: rotate, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' }), 415);
    // Logging in from another site is refused too (login CSRF).
    expectProblem(
      await t.app.inject({ method: 'POST', url: '/api/v1/session', headers: { origin: 'https://evil.example' }, payload: { Email: w.brand.adminEmail, Password: TEST_PASSWORD } }),
      403,
    );
    await expectDbUnchanged(t.ctx.db, before);
    // From the app's own pages (PUBLIC_URL, or the host the request was sent to) it works.
    const rotated = expectOk(
      await brand.request({ method: 'POST', url: rotate, headers: { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' } }),
      201,
    );
    const again = expectOk(
      await brand.request({ method: 'POST', url: `/api/v1/credentials/${rotated.Id}/rotate`, headers: { origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' } }),
      201,
    );
    // Reads are not affected, nor are API clients that send neither header.
    expectOk(await brand.request({ method: 'GET', url: '/api/v1/credentials', headers: { origin: 'https://evil.example' } }));
    const other = await issueToken(brand);
    expectOk(await other.client.post(`/api/v1/credentials/${again.Id}/rotate`), 201);
  });
});

describeDb('hardening: every error is problem JSON, even before routing', (db) => {
  let t: TestApp;
  let port = 0;
  beforeEach(async () => {
    t = await startTestApp(db());
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = Number(new URL(address).port);
  });
  afterEach(async () => t.close());

  /** A raw HTTP/1.1 exchange: status, headers and body as the server wrote them. */
  function exchange(request: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    return new Promise((resolve, reject) => {
      let data = '';
      const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
      socket.setEncoding('latin1');
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => {
        const [head = '', ...rest] = data.split('\r\n\r\n');
        const [statusLine = '', ...lines] = head.split('\r\n');
        const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
        resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
      });
      socket.on('error', reject);
    });
  }

  it('431 (headers too large), 414 (a path segment too long) and 400 (not HTTP) are problem JSON on the API and the error page under /c/', async () => {
    const huge = `X-Padding: ${'a'.repeat(20_000)}\r\n`;
    const api = await exchange(`GET /api/v1/me HTTP/1.1\r\nHost: localhost\r\n${huge}\r\n`);
    expect(api.status).toBe(431);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(api.body)).toMatchObject({ status: 431, title: 'Request header fields too large', detail: expect.stringContaining('headers') });

    const click = await exchange(`GET /c/abcdef HTTP/1.1\r\nHost: localhost\r\n${huge}\r\n`);
    expect(click.status).toBe(431);
    expect(click.headers['content-type']).toMatch(/^text\/html/);
    expect(click.body).toContain('Link not found');

    const longSegment = `/api/v1/invitations/${'t'.repeat(500)}`;
    const tooLong = await exchange(`GET ${longSegment} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    expect(tooLong.status).toBe(414);
    expect(tooLong.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(tooLong.body)).toMatchObject({ status: 414, title: 'URI too long', detail: expect.stringContaining('100 characters') });
    const longCode = await exchange(`GET /c/${'x'.repeat(500)}%41 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    expect(longCode.status).toBe(404);
    expect(longCode.body).toContain('Link not found');

    const garbage = await exchange('THIS IS NOT HTTP\r\n\r\n');
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.body)).toMatchObject({ status: 400, title: 'Bad request' });
  });

  it('413 (a body over the limit) is problem JSON, also on a route that takes no body', async () => {
    const body = JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) });
    const response = await exchange(
      `POST /api/v1/session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(response.body)).toMatchObject({ status: 413 });
  });

  it('credentials holding a NUL are refused as invalid credentials (401), not a database error', async () => {
    const sid = Buffer.from('LS\u0000X:token').toString('base64');
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: `Basic ${sid}` } });
    expectProblem(response, 401);
    const cookie = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: 'lockstep_session=%00' } });
    expectProblem(cookie, 401);
  });
});

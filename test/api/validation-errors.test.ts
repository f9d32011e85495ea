/**
 * Issue 17 item 9: a refused request lists every invalid field in the problem's `errors`,
 * not only the first one found: every field of a part, every part of the request (path,
 * body, query), and every field the service checks after the schema (a conversion's date,
 * amounts and order id).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { makeClick, nextOrderId } from '../support/actions.js';
import { clientFor, makeActionWorld, type ActionWorld } from '../support/action-helpers.js';
import { dumpDb, expectDbUnchanged, expectOk, expectProblem } from '../support/api-helpers.js';
import type { Client, TestApp } from '../support/app.js';
import { startTestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';

describeDb('API errors list every invalid field (issue 17 item 9)', (db) => {
  let t: TestApp;
  let w: ActionWorld;
  let brand: Client;
  beforeEach(async () => {
    t = await startTestApp(db());
    w = await makeActionWorld(t.ctx, db().clock);
    brand = await clientFor(t, w.brand.adminUserId, w.brand.id);
  });
  afterEach(async () => t.close());

  const fields = (body: { errors?: Array<{ field: string }> }) => (body.errors ?? []).map((e) => e.field);

  it('a conversion with several wrong fields names each of them, those of the schema and those the service checks', async () => {
    const clickId = await makeClick(t.ctx, w.partner, w.program, new Date(t.ctx.clock.now().getTime() - 60_000));
    const before = await dumpDb(t.ctx.db);
    // The schema's checks: a wrong type and an unknown field.
    const schema = expectProblem(await brand.post('/api/v1/conversions', { ActionTrackerId: 'x', OrderId: 'A-1', EventDate: 'x', Bogus: 1 }), 400);
    expect(fields(schema)).toEqual(['body.ActionTrackerId', 'body']);
    // The service's checks, after the schema: the date, the order id, an item's quantity and amount, the currency.
    const service = expectProblem(
      await brand.post('/api/v1/conversions', {
        ActionTrackerId: w.program.saleEventTypeId,
        OrderId: '   ',
        EventDate: 'yesterday',
        ClickId: clickId,
        CurrencyCode: 'EUR',
        Items: [
          { Sku: 'A', Quantity: 0, Amount: '10.00' },
          { Sku: 'B', Quantity: 1, Amount: '1.234' },
        ],
      }),
      400,
    );
    expect(fields(service)).toEqual(['body.OrderId', 'body.EventDate', 'body.CurrencyCode', 'body.Items.0.Quantity', 'body.Items.1.Amount']);
    for (const text of ['OrderId must have', 'EventDate "yesterday"', 'CurrencyCode EUR', 'Items[0].Quantity', 'Items[1].Amount']) {
      expect(service.detail).toContain(text);
    }
    // An unknown event type leaves the amounts unread (their currency is the program's) but still names the other fields.
    const unknownType = expectProblem(
      await brand.post('/api/v1/conversions', { ActionTrackerId: 999_999, OrderId: '', EventDate: '2026-01-01', Amount: '1' }),
      400,
    );
    expect(fields(unknownType)).toEqual(['body.ActionTrackerId', 'body.OrderId', 'body.EventDate']);
    await expectDbUnchanged(t.ctx.db, before);
  });

  it('a batch row lists all its problems in its result, and the other rows are recorded', async () => {
    const clickId = await makeClick(t.ctx, w.partner, w.program, new Date(t.ctx.clock.now().getTime() - 60_000));
    const good = { ActionTrackerId: w.program.saleEventTypeId, OrderId: nextOrderId(), EventDate: t.ctx.clock.now().toISOString(), ClickId: clickId, Amount: '5.00' };
    const body = expectOk(
      await brand.post('/api/v1/conversions/batch', { Conversions: [good, { ...good, OrderId: '', EventDate: 'soon', Amount: 'ten' }] }),
    );
    expect(body.Accepted).toBe(1);
    expect(body.Results[1]).toMatchObject({ Status: 'INVALID' });
    for (const text of ['OrderId must have', 'EventDate "soon"', 'Amount:']) expect(body.Results[1].Message).toContain(text);
  });

  it('every invalid part of a request is listed: the path, the body and the query in one answer', async () => {
    const before = await dumpDb(t.ctx.db);
    const r = expectProblem(
      await brand.post('/api/v1/actions/abc/modify-items?dryRun=maybe', { Reason: 'NOPE', Items: [{ Index: 'first', Amount: '1.00' }] }),
      400,
    );
    expect(fields(r)).toEqual(expect.arrayContaining(['params.id', 'body.Reason', 'body.Items.0.Index', 'querystring.dryRun']));
    const q = expectProblem(await brand.get('/api/v1/actions?pageSize=0&state=FOO&from=bar'), 400);
    expect(fields(q)).toEqual(expect.arrayContaining(['querystring.pageSize', 'querystring.state', 'querystring.from']));
    await expectDbUnchanged(t.ctx.db, before);
  });
});

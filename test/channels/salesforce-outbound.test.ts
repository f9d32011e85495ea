/**
 * Salesforce Outbound Messages (issue 14 item 4), end to end: recorded messages in
 * Salesforce's format (test/fixtures/salesforce) posted with `curl` to the test app on
 * 127.0.0.1; the acknowledgement comes back only once the batch is stored; the worker
 * applies it; the actions are reversed or modified as the mapping says. Redeliveries,
 * wrong tokens, XML bombs and another brand's token change nothing.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { accountClient, makeActionWorld, makeSales } from '../support/action-helpers.js';
import { expectOk } from '../support/api-helpers.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { ACK, curlPost, drainReturns, fixtureFile, OPPORTUNITY_MAPPING, ORDER_MAPPING, setSalesforce, tempDir } from '../support/salesforce.js';

describeDb('Salesforce Outbound Messages (issue 14 item 4)', (db) => {
  let t: TestApp;
  let base = '';
  let dir = '';
  beforeEach(async () => {
    dir = tempDir('lockstep-sf-');
    t = await startTestApp(db(), { publicUrl: 'https://lockstep.example' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  }, 60_000);
  afterEach(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const actionsOf = async (ids: readonly bigint[]) => {
    const { rows } = await t.ctx.db.query<{ id: string; amount: string; state: string }>(
      'select id::text, amount_minor::text as amount, state from actions where id = any($1::bigint[]) order by id',
      [ids.map(String)],
    );
    const byId = new Map(rows.map((r) => [r.id, [r.amount, r.state]]));
    return ids.map((id) => byId.get(String(id)));
  };

  async function salesforceWorld(mapping = OPPORTUNITY_MAPPING) {
    const world = await makeActionWorld(t.ctx, db().clock);
    const eventTypeId = world.program.saleEventTypeId;
    await setSalesforce(t.ctx, world.brand, eventTypeId, mapping);
    const client = await accountClient(t, world.brand);
    const status = expectOk(await client.get(`/api/v1/event-types/${eventTypeId}/salesforce`)) as { OutboundMessageUrl: string };
    expect(status.OutboundMessageUrl).toMatch(/^https:\/\/lockstep\.example\/salesforce\/outbound\/[0-9a-f]{32}$/);
    const path = new URL(status.OutboundMessageUrl).pathname;
    return { world, eventTypeId, client, url: `${base}${path}`, path };
  }

  it('an Opportunity set to Closed Lost reverses its action: Ack after the batch is stored; the same message again applies nothing', async () => {
    const { world, eventTypeId, client, url } = await salesforceWorld();
    const [a, other] = await makeSales(t.ctx, world.brand, world.partner, world.program, 2, { amount: () => '100.00' });
    const file = fixtureFile(dir, 'opportunity-closed-lost.xml', { ACTION_1: a! });

    const answer = await curlPost(url, file);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/xml/);
    expect(answer.body).toContain('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>');
    expect(answer.body).toContain(ACK);

    // Stored before the Ack: the batch (channel SALESFORCE) and its work item; nothing applied yet.
    const { rows: batches } = await t.ctx.db.query<{ id: string; channel: string; status: string; work: string | null; file_name: string }>(
      'select id::text, channel, status, work_item_id::text as work, file_name from returns_batches',
    );
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ channel: 'SALESFORCE', status: 'RECEIVED', file_name: 'salesforce_outbound_04l5g00000ZPXyzAAH.csv' });
    expect(batches[0]!.work).not.toBeNull();
    expect(await actionsOf([a!, other!])).toEqual([['10000', 'PENDING'], ['10000', 'PENDING']]);

    await drainReturns(t.ctx);
    expect(await actionsOf([a!, other!])).toEqual([['10000', 'REVERSED'], ['10000', 'PENDING']]);
    const { rows: done } = await t.ctx.db.query<{ status: string; counts: Record<string, number> }>('select status, counts from returns_batches');
    expect(done).toEqual([{ status: 'DONE', counts: { APPLIED: 1 } }]);
    const { rows: outcome } = await t.ctx.db.query<{ outcome: string; cells: string }>('select outcome, cells from returns_batch_rows');
    expect(outcome[0]!.outcome).toBe('APPLIED');
    expect(Object.fromEntries(JSON.parse(outcome[0]!.cells) as Array<[string, string]>)).toMatchObject({ ActionId: String(a), Amount: '0', Reason: 'ORDER_ERROR', SalesforceId: '0065g00000Ab1CdAAJ', NotificationId: '04l5g00000ZPXyzAAH' });

    // Salesforce delivers again (it did not see the Ack in time): acknowledged, nothing new. (Sent as the README's example sends it.)
    const again = await curlPost(url, file, 'text/xml', '--data');
    expect(again.status).toBe(200);
    expect(again.body).toContain(ACK);
    await drainReturns(t.ctx);
    expect((await t.ctx.db.query('select id from returns_batches')).rows).toHaveLength(1);
    const { rows: mods } = await t.ctx.db.query<{ n: number }>('select modification_count as n from actions where id = $1', [String(a)]);
    expect(mods[0]!.n).toBe(2);

    const panel = expectOk(await client.get(`/api/v1/event-types/${eventTypeId}/salesforce`)) as {
      Messages: Array<{ Source: string; Notifications: number; New: number; Duplicates: number; BatchId: string | null; BatchStatus: string | null }>;
      Notifications: Array<{ NotificationId: string; Outcome: string; Change: string | null; StatusValue: string | null }>;
    };
    expect(panel.Messages.map((m) => [m.Source, m.Notifications, m.New, m.Duplicates, m.BatchId, m.BatchStatus])).toEqual([
      ['OUTBOUND', 1, 0, 1, null, null],
      ['OUTBOUND', 1, 1, 0, batches[0]!.id, 'DONE'],
    ]);
    expect(panel.Notifications).toEqual([expect.objectContaining({ NotificationId: '04l5g00000ZPXyzAAH', Outcome: 'QUEUED', Change: 'REVERSE', StatusValue: 'Closed Lost' })]);
  }, 60_000);

  it('an Order__c custom object matched by order id with Amount__c modifies the sale amount', async () => {
    const { world, url } = await salesforceWorld(ORDER_MAPPING);
    const [a] = await makeSales(t.ctx, world.brand, world.partner, world.program, 1, { amount: () => '100.00' });
    const { rows } = await t.ctx.db.query<{ order: string }>('select order_id as order from actions where id = $1', [String(a)]);
    const answer = await curlPost(url, fixtureFile(dir, 'order-custom-object.xml', { ORDER_1: rows[0]!.order }));
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(ACK);
    await drainReturns(t.ctx);
    expect(await actionsOf([a!])).toEqual([['6250', 'PENDING']]);
    const { rows: row } = await t.ctx.db.query<{ outcome: string; cells: string }>('select outcome, cells from returns_batch_rows');
    expect(row[0]!.outcome).toBe('APPLIED');
    expect(Object.fromEntries(JSON.parse(row[0]!.cells) as Array<[string, string]>)).toMatchObject({ Oid: rows[0]!.order, Amount: '62.5', Reason: 'ITEM_RETURNED', SalesforceObject: 'Order__c' });
  }, 60_000);

  it('two notifications in one message: the mapped one is applied, the one whose status maps to nothing is recorded as skipped and acknowledged', async () => {
    const { world, eventTypeId, client, url } = await salesforceWorld();
    const [, b, c] = await makeSales(t.ctx, world.brand, world.partner, world.program, 3, { amount: () => '100.00' });
    const answer = await curlPost(url, fixtureFile(dir, 'two-notifications.xml', { ACTION_2: b!, ACTION_3: c! }));
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(ACK);
    await drainReturns(t.ctx);
    expect(await actionsOf([b!, c!])).toEqual([['10000', 'REVERSED'], ['10000', 'PENDING']]);
    const { rows: batchRows } = await t.ctx.db.query('select row_number from returns_batch_rows');
    expect(batchRows).toHaveLength(1);
    const panel = expectOk(await client.get(`/api/v1/event-types/${eventTypeId}/salesforce`)) as {
      Messages: Array<{ Notifications: number; New: number; Skipped: number }>;
      Notifications: Array<{ NotificationId: string; Outcome: string; Message: string | null }>;
    };
    expect(panel.Messages[0]).toMatchObject({ Notifications: 2, New: 2, Skipped: 1 });
    const skipped = panel.Notifications.find((n) => n.NotificationId === '04l5g00000ZPZc3AAH')!;
    expect(skipped.Outcome).toBe('SKIPPED');
    expect(skipped.Message).toBe('StageName "Negotiation/Review" maps to no change (mapped: "Closed Lost"); nothing to do.');
    expect(panel.Notifications.find((n) => n.NotificationId === '04l5g00000ZPZb2AAH')!.Outcome).toBe('QUEUED');
  }, 60_000);

  it('the same message delivered twice at the same moment is taken once', async () => {
    const { world, url } = await salesforceWorld();
    const [b, c] = await makeSales(t.ctx, world.brand, world.partner, world.program, 2, { amount: () => '100.00' });
    const file = fixtureFile(dir, 'two-notifications.xml', { ACTION_2: b!, ACTION_3: c! });
    const answers = await Promise.all([curlPost(url, file), curlPost(url, file), curlPost(url, file)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await drainReturns(t.ctx);
    expect((await t.ctx.db.query('select id from returns_batches')).rows).toHaveLength(1);
    const { rows } = await t.ctx.db.query<{ n: number }>('select count(*)::int as n from salesforce_notifications');
    expect(rows[0]!.n).toBe(2);
    const { rows: messages } = await t.ctx.db.query<{ fresh: number; dup: number }>('select new_notifications as fresh, duplicates as dup from salesforce_messages order by id');
    expect(messages.map((m) => [m.fresh, m.dup])).toEqual([[2, 0], [0, 2], [0, 2]]);
    expect(await actionsOf([b!, c!])).toEqual([['10000', 'REVERSED'], ['10000', 'PENDING']]);
  }, 60_000);

  it('a wrong token is a 404; a regenerated URL makes the old one dead', async () => {
    const { world, eventTypeId, client, url, path } = await salesforceWorld();
    const [a] = await makeSales(t.ctx, world.brand, world.partner, world.program, 1, { amount: () => '100.00' });
    const file = fixtureFile(dir, 'opportunity-closed-lost.xml', { ACTION_1: a! });
    const wrong = await curlPost(`${base}/salesforce/outbound/${'0'.repeat(32)}`, file);
    expect(wrong.status).toBe(404);
    expect(wrong.body).toContain('<faultcode>soapenv:Client</faultcode>');
    expect(wrong.body).toContain('No Outbound Message URL has this token');
    expect((await curlPost(`${base}/salesforce/outbound/not-a-token`, file)).status).toBe(404);

    const renewed = expectOk(await client.post(`/api/v1/event-types/${eventTypeId}/salesforce/outbound-url`)) as { OutboundMessageUrl: string };
    expect(new URL(renewed.OutboundMessageUrl).pathname).not.toBe(path);
    expect((await curlPost(url, file)).status).toBe(404);
    expect((await t.ctx.db.query('select id from returns_batches')).rows).toHaveLength(0);
    const fresh = await curlPost(`${base}${new URL(renewed.OutboundMessageUrl).pathname}`, file);
    expect(fresh.status).toBe(200);
  }, 60_000);

  it('an XML bomb (a DTD with entities) is refused with 400 without expanding it; a body that is not an Outbound Message says what is missing', async () => {
    const { world, eventTypeId, client, url } = await salesforceWorld();
    const [a] = await makeSales(t.ctx, world.brand, world.partner, world.program, 1, { amount: () => '100.00' });
    const started = Date.now();
    const bomb = await curlPost(url, fixtureFile(dir, 'xml-bomb.xml', { ACTION_1: a! }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(bomb.status).toBe(400);
    expect(bomb.contentType).toMatch(/^text\/xml/);
    expect(bomb.body).toContain('<faultcode>soapenv:Client</faultcode>');
    expect(bomb.body).toContain('declares a DTD or entities');
    expect(bomb.body).not.toContain('lollol');

    const notSoap = `${dir}/plain.xml`;
    fs.writeFileSync(notSoap, '<?xml version="1.0"?><Rows><Row><ActionId>1</ActionId></Row></Rows>');
    const wrongShape = await curlPost(url, notSoap);
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.body).toContain('needs soapenv:Envelope / soapenv:Body / notifications');
    fs.writeFileSync(notSoap, '<soapenv:Envelope><soapenv:Body><notifications>');
    const broken = await curlPost(url, notSoap);
    expect(broken.status).toBe(400);
    expect(broken.body).toContain('not well-formed XML');
    const json = await curlPost(url, notSoap, 'application/json');
    expect([400, 415]).toContain(json.status);
    expect(json.body).toContain('soapenv:Fault');

    await drainReturns(t.ctx);
    expect(await actionsOf([a!])).toEqual([['10000', 'PENDING']]);
    expect((await t.ctx.db.query('select id from returns_batches')).rows).toHaveLength(0);
    const panel = expectOk(await client.get(`/api/v1/event-types/${eventTypeId}/salesforce`)) as { Messages: Array<{ Status: string; Error: string | null }> };
    expect(panel.Messages[panel.Messages.length - 1]).toMatchObject({ Status: 'ERROR', Error: expect.stringContaining('DTD') });
  }, 60_000);

  it("another brand's token cannot touch this brand's actions", async () => {
    const first = await salesforceWorld();
    const [a] = await makeSales(t.ctx, first.world.brand, first.world.partner, first.world.program, 1, { amount: () => '100.00' });
    const second = await salesforceWorld();
    // The second brand's Salesforce names the first brand's action: its batch is the second brand's, and finds nothing.
    const answer = await curlPost(second.url, fixtureFile(dir, 'opportunity-closed-lost.xml', { ACTION_1: a! }));
    expect(answer.status).toBe(200);
    await drainReturns(t.ctx);
    expect(await actionsOf([a!])).toEqual([['10000', 'PENDING']]);
    const { rows } = await t.ctx.db.query<{ brand: number; counts: Record<string, number> }>('select brand_account_id as brand, counts from returns_batches');
    expect(rows).toEqual([{ brand: second.world.brand.id, counts: { NOT_FOUND: 1 } }]);
    // And the first brand's panel shows nothing of it.
    const panel = expectOk(await first.client.get(`/api/v1/event-types/${first.eventTypeId}/salesforce`)) as { Messages: unknown[] };
    expect(panel.Messages).toEqual([]);
    expect((await second.client.get(`/api/v1/event-types/${first.eventTypeId}/salesforce`)).statusCode).toBe(404);
  }, 60_000);
});

/**
 * The outbox payload of an action, built in SQL (src/modules/actions/action-events.ts), is
 * the action as the API returns it (`GET /api/v1/actions/:id`, mapped by
 * src/http/contract-mapping/actions.ts) without what depends on who asks: held to it
 * field by field in the cases where two implementations of one mapping part most easily,
 * money in currencies of 0, 2 and 3 decimals (trailing zeros, below one unit, zero,
 * negative deltas, the largest amounts), every state and shape of an action, text that
 * needs quoting, timestamps with milliseconds, and statements that write the events of
 * several currencies at once (a batch of conversions, the click crediting job, a bulk
 * operation, the lock job). Then: a rolled-back change writes no event, and a change the
 * statement cannot find throws and keeps nothing.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ActionDetail } from '../../src/http/contract/actions.js';
import { recordActionEvents } from '../../src/modules/actions/action-events.js';
import { acceptTerms } from '../../src/modules/contracts/accept-terms.js';
import { creditClicks } from '../../src/modules/tracking/credit-clicks.js';
import { GAP_SETTLE_MS, readEventsAfter } from '../../src/outbox/read-events.js';
import { accountClient, clientFor, runLockJob } from '../support/action-helpers.js';
import { makeClick, nextOrderId } from '../support/actions.js';
import { makeAccount, makeOperator, startTestApp, type Client, type TestAccount, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { asEventPayload, lastEventAbout, outboxCursor } from '../support/outbox.js';
import { makeProgram, type TestProgram } from '../support/programs.js';

type Currency = 'JPY' | 'USD' | 'KWD';
const CURRENCIES: readonly Currency[] = ['JPY', 'USD', 'KWD'];

/** Names that need quoting in SQL and escaping in JSON, and characters beyond ASCII and the BMP. */
const PROGRAM_NAME = `O'Brien's "Outdoor" \\ Shop — Zelte & Schlafsäcke 🏕️`;
const SALE_NAME = `Sale "Große Bestellung" — 注文 ✓`;
const LEAD_NAME = `Lead 'Anfrage' \\n not a newline`;
const CLICK_NAME = `Klick «CPC» 🖱️`;
const PARTNER_NAME = `Ünïcödé "Partner" d'été — 日本語 𝄞`;

/** Per currency: the fixed payouts of a lead and of a click, in the currency's own decimals. */
const FIXED: Record<Currency, { lead: string; click: string }> = {
  JPY: { lead: '200', click: '5' },
  USD: { lead: '2.00', click: '0.05' },
  KWD: { lead: '2.500', click: '0.005' },
};
const TIME_ZONES: Record<Currency, string> = { JPY: 'Asia/Tokyo', USD: 'America/New_York', KWD: 'Asia/Kuwait' };

function ok<T = ActionDetail>(response: LightMyRequestResponse, status = 200): T {
  expect(response.statusCode, response.body.slice(0, 500)).toBe(status);
  return response.json() as T;
}

/** A date as an ISO 8601 text in a fixed offset from UTC (`+09:00`), milliseconds included. */
function atOffset(date: Date, offset: string): string {
  const sign = offset.startsWith('-') ? -1 : 1;
  const [hours, minutes] = offset.slice(1).split(':').map(Number) as [number, number];
  const local = new Date(date.getTime() + sign * (hours * 60 + minutes) * 60_000);
  return `${local.toISOString().slice(0, -1)}${offset}`;
}

const byNumber = (a: number, b: number) => a - b;

describeDb('action events: the payload built in SQL is the action as the API returns it', (db) => {
  let t: TestApp;
  let brand: TestAccount;
  let partner: TestAccount;
  let brandClient: Client;
  let operatorClient: Client;
  let programs: Record<Currency, TestProgram>;

  /** A program in `currency` with SALE (10%, Tents 20%), LEAD and CLICK event types named as above, its terms published. */
  const makeNamedProgram = (currency: Currency) =>
    makeProgram(t.ctx, brand, {
      currency,
      timeZone: TIME_ZONES[currency],
      names: { program: `${PROGRAM_NAME} ${currency}`, sale: SALE_NAME, lead: LEAD_NAME, click: CLICK_NAME },
      fixed: FIXED[currency],
    });

  beforeEach(async () => {
    t = await startTestApp(db());
    brand = await makeAccount(t.ctx, 'BRAND', { name: `Brand "Ω" 'quoted'` });
    partner = await makeAccount(t.ctx, 'PARTNER', { name: PARTNER_NAME });
    programs = { JPY: await makeNamedProgram('JPY'), USD: await makeNamedProgram('USD'), KWD: await makeNamedProgram('KWD') };
    for (const currency of CURRENCIES) await acceptTerms(t.ctx, partner.actor, programs[currency].termsId);
    brandClient = await accountClient(t, brand);
    operatorClient = await clientFor(t, (await makeOperator(t.ctx)).userId);
    // An hour and some milliseconds on: every timestamp written from here on has them.
    db().clock.advanceMs(3_600_000 + 123);
  });
  afterEach(async () => t.close());

  const clock = () => db().clock;
  const now = () => t.ctx.clock.now();

  /** A conversion's body: a sale (or a lead without Amount and Items) through a new click, dated with milliseconds in a +09:00 offset. */
  async function conversion(currency: Currency, options: { amount?: string; items?: Array<Record<string, unknown>>; lead?: boolean } = {}) {
    const program = programs[currency];
    const clickId = await makeClick(t.ctx, partner, program, new Date(now().getTime() - 61_000 - 456));
    return {
      ActionTrackerId: options.lead ? program.leadEventTypeId : program.saleEventTypeId,
      OrderId: `${nextOrderId()}-"Bestellung" 'n° 5' — 注文`,
      EventDate: atOffset(new Date(now().getTime() - 30_000 - 789), '+09:00'),
      ClickId: clickId,
      ...(options.items ? { Items: options.items } : {}),
      ...(options.amount !== undefined ? { Amount: options.amount } : {}),
    };
  }

  async function sale(currency: Currency, options: { amount?: string; items?: Array<Record<string, unknown>>; lead?: boolean } = {}): Promise<string> {
    const body = await conversion(currency, options);
    const result = ok<{ Status: string; ActionId: string }>(await brandClient.post('/api/v1/conversions', body), 201);
    expect(result.Status).toBe('ACCEPTED');
    return result.ActionId;
  }

  /**
   * The last outbox event about the action is of `type`, for the brand and the partner
   * the action is attributed to, and its payload is the API's answer for the action,
   * field by field and as a whole. Returns the API's answer.
   */
  async function expectEventIsApiAction(id: string, type: string, partnerId = partner.id): Promise<ActionDetail> {
    const action = ok(await brandClient.get(`/api/v1/actions/${id}`));
    const event = await lastEventAbout(t.ctx.db, `action:${id}`);
    expect(event, `an outbox event about action:${id}`).toBeDefined();
    expect(event!.type, `the last event about action:${id}`).toBe(type);
    const expected = asEventPayload(action);
    for (const field of new Set([...Object.keys(expected), ...Object.keys(event!.payload)])) {
      expect(event!.payload[field], `${field} of action ${id} (${action.Currency}, ${action.State})`).toStrictEqual(expected[field]);
    }
    expect(event!.payload).toStrictEqual(expected);
    expect([...event!.accountIds].sort(byNumber), `the accounts of the event about action:${id}`).toEqual([brand.id, partnerId].sort(byNumber));
    return action;
  }

  const post = async (client: Client, url: string, body: unknown = {}) => ok(await client.post(url, body));

  it('created, in one batch of three currencies: trailing zeros, amounts below one unit, zero amounts, the largest a conversion carries', async () => {
    // [currency, the conversion's Amount (undefined: a lead without one), the Amount the API shows]
    const cases: Array<[Currency, string | undefined, string]> = [
      ['JPY', '1000', '1000'],
      ['JPY', '1', '1'],
      ['JPY', '1000000000000000', '1000000000000000'],
      ['JPY', undefined, '0'],
      ['JPY', '0', '0'],
      ['USD', '100.10', '100.10'],
      ['USD', '1.5', '1.50'],
      ['USD', '0.05', '0.05'],
      ['USD', '0.01', '0.01'],
      ['USD', '10000000000000.00', '10000000000000.00'],
      ['USD', undefined, '0.00'],
      ['USD', '0', '0.00'],
      ['KWD', '12.500', '12.500'],
      ['KWD', '0.1', '0.100'],
      ['KWD', '0.005', '0.005'],
      ['KWD', '0.050', '0.050'],
      ['KWD', '1000000000000.000', '1000000000000.000'],
      ['KWD', undefined, '0.000'],
      ['KWD', '0.000', '0.000'],
    ];
    const bodies = [];
    for (const [currency, amount] of cases) bodies.push(await conversion(currency, amount === undefined ? { lead: true } : { amount }));
    const cursor = await outboxCursor(t.ctx.db);
    const batch = ok<{ Accepted: number; Results: Array<{ ActionId: string }> }>(await brandClient.post('/api/v1/conversions/batch', { Conversions: bodies }));
    expect(batch.Accepted).toBe(cases.length);
    const { rows } = await t.ctx.db.query<{ n: number }>('select count(*)::int as n from outbox_events where id > $1', [cursor.toString()]);
    expect(rows[0]!.n).toBe(cases.length);
    for (const [i, [currency, amount, shown]] of cases.entries()) {
      const action = await expectEventIsApiAction(batch.Results[i]!.ActionId, 'action.created');
      expect(action).toMatchObject({ Currency: currency, Amount: shown, IntendedAmount: shown, State: 'PENDING', StatusDetail: 'Pending', Items: [] });
      if (amount === undefined) expect(action).toMatchObject({ EventKind: 'LEAD', Payout: FIXED[currency].lead, EventTypeName: LEAD_NAME });
      expect(action.DeltaAmount).toBe({ JPY: '0', USD: '0.00', KWD: '0.000' }[currency]);
      expect(action.EventDate).toMatch(/\.\d{3}Z$/);
      expect(action.EventDate.endsWith('.000Z')).toBe(false);
    }
    const first = await expectEventIsApiAction(batch.Results[0]!.ActionId, 'action.created');
    expect(first).toMatchObject({ CampaignName: `${PROGRAM_NAME} JPY`, EventTypeName: SALE_NAME, MediaPartnerName: PARTNER_NAME, Payout: '100' });
    expect(first.OrderId).toContain(`"Bestellung" 'n° 5' — 注文`);
  });

  it('modified: negative and positive deltas, below one unit, to zero, and up to the largest amount an action holds', async () => {
    // [currency, created with, modified to, DeltaAmount the API shows]; a modification to 0 reverses the action and keeps its amount.
    const cases: Array<[Currency, string, string, string]> = [
      ['JPY', '1000', '999', '-1'],
      ['JPY', '1000', '0', '0'],
      ['JPY', '1', '9223372036854775807', '9223372036854775806'],
      ['USD', '1.00', '0.95', '-0.05'],
      ['USD', '100.10', '0.05', '-100.05'],
      ['USD', '10000000000000.00', '0.01', '-9999999999999.99'],
      ['USD', '0.05', '92233720368547758.07', '92233720368547758.02'],
      ['KWD', '1.000', '0.995', '-0.005'],
      ['KWD', '12.500', '0.005', '-12.495'],
      ['KWD', '0.005', '0.1', '0.095'],
      ['KWD', '1000000000000.000', '999999999999.999', '-0.001'],
      ['KWD', '0.005', '0.000', '0.000'],
    ];
    for (const [currency, from, to, delta] of cases) {
      const id = await sale(currency, { amount: from });
      clock().advanceMs(1_001);
      const answer = await post(brandClient, `/api/v1/actions/${id}/modify`, { Reason: 'ORDER_UPDATE', Amount: to });
      const action = await expectEventIsApiAction(id, 'action.modified');
      expect(action).toEqual(answer);
      expect(action).toMatchObject({ Currency: currency, DeltaAmount: delta, ModificationCount: 2 });
      if (/^0(\.0+)?$/.test(to)) expect(action).toMatchObject({ State: 'REVERSED', ReversalReason: 'ORDER_UPDATE', StatusDetail: 'Reversed/ORDER_UPDATE', Amount: from });
      else expect(action.State).toBe('PENDING');
    }
  });

  it('every state and shape: items rejected and modified, reversed, restored, reset, approved; several items, one and none', async () => {
    const itemsOf: Record<Currency, Array<Record<string, unknown>>> = {
      JPY: [
        { Sku: `T-"1"`, Category: 'Tents', Quantity: 1, Amount: '20000' },
        { Sku: 'S-ü', Category: 'Socks', Quantity: 3, Amount: '1500' },
        { Quantity: 2, Amount: '10' },
      ],
      USD: [
        { Sku: `T-"1"`, Category: 'Tents', Quantity: 1, Amount: '200.00' },
        { Sku: 'S-ü', Category: 'Socks', Quantity: 3, Amount: '15.10' },
        { Quantity: 2, Amount: '0.05' },
      ],
      KWD: [
        { Sku: `T-"1"`, Category: 'Tents', Quantity: 1, Amount: '20.500' },
        { Sku: 'S-ü', Category: `Chaussettes d'été`, Quantity: 3, Amount: '1.250' },
        { Quantity: 2, Amount: '0.005' },
      ],
    };
    const down: Record<Currency, string> = { JPY: '1', USD: '0.01', KWD: '0.001' };
    for (const currency of CURRENCIES) {
      const id = await sale(currency, { items: itemsOf[currency] });
      const created = await expectEventIsApiAction(id, 'action.created');
      expect(created.Items).toHaveLength(3);
      expect(created.Items[2]).toMatchObject({ Sku: null, Category: null, OriginalQuantity: 2, Rejected: false });

      clock().advanceMs(1_111);
      await post(brandClient, `/api/v1/actions/${id}/reject-item`, { ItemIndex: 1, Reason: 'ITEM_RETURNED' });
      const rejected = await expectEventIsApiAction(id, 'action.item_rejected');
      expect(rejected.Items[0]).toMatchObject({ Quantity: 0, OriginalQuantity: 1, Rejected: true, OriginalAmount: itemsOf[currency][0]!.Amount });
      expect(rejected.DeltaAmount.startsWith('-')).toBe(true);
      expect(rejected.DeltaPayout.startsWith('-')).toBe(true);

      clock().advanceMs(1_222);
      await post(brandClient, `/api/v1/actions/${id}/modify`, { Reason: 'ITEM_RETURNED', Items: [{ Index: 2, Amount: down[currency] }] });
      const modified = await expectEventIsApiAction(id, 'action.modified');
      expect(modified.Items[1]).toMatchObject({ Amount: down[currency], OriginalAmount: itemsOf[currency][1]!.Amount, Rejected: false });

      clock().advanceMs(1_333);
      await post(brandClient, `/api/v1/actions/${id}/modify-items`, { Reason: 'ITEM_OUT_OF_STOCK', Items: [{ Index: 2, Reject: true }, { Index: 3, Reject: true }] });
      // Every item is rejected now (two changes, an event each): the action is reversed.
      const allRejected = await expectEventIsApiAction(id, 'action.item_rejected');
      expect(allRejected).toMatchObject({ State: 'REVERSED', ReversalReason: 'ITEM_OUT_OF_STOCK', StatusDetail: 'Reversed/ITEM_OUT_OF_STOCK' });

      clock().advanceMs(1_444);
      await post(brandClient, `/api/v1/actions/${id}/restore`);
      const restored = await expectEventIsApiAction(id, 'action.restored');
      expect(restored).toMatchObject({ State: 'PENDING', ReversalReason: null });

      clock().advanceMs(1_555);
      await post(brandClient, `/api/v1/actions/${id}/reverse`, { Reason: 'CONS_FRAUD' });
      const reversed = await expectEventIsApiAction(id, 'action.reversed');
      expect(reversed).toMatchObject({ State: 'REVERSED', ReversalReason: 'CONS_FRAUD', StatusDetail: 'Reversed/CONS_FRAUD' });

      clock().advanceMs(1_666);
      await post(brandClient, `/api/v1/actions/${id}/reset`);
      const reset = await expectEventIsApiAction(id, 'action.reset');
      expect(reset).toMatchObject({ State: 'PENDING', Amount: created.Amount, Payout: created.Payout, DeltaAmount: created.DeltaAmount, Items: created.Items });

      clock().advanceMs(1_777);
      await post(brandClient, `/api/v1/actions/${id}/approve`);
      const approved = await expectEventIsApiAction(id, 'action.approved');
      expect(approved).toMatchObject({ State: 'APPROVED', StatusDetail: 'Approved/Payment Pending', LockedDate: now().toISOString() });
      expect(approved.LockedDate!.endsWith('.000Z')).toBe(false);
      expect(approved.PaymentDate).not.toBeNull();
      expect(approved.UpdatedDate).toBe(now().toISOString());

      // One item; and none (a plain amount), reversed and restored.
      const one = await sale(currency, { items: [itemsOf[currency][1]!] });
      await post(brandClient, `/api/v1/actions/${one}/reject-item`, { ItemIndex: 1, Reason: 'ITEM_RETURNED' });
      const oneRejected = await expectEventIsApiAction(one, 'action.item_rejected');
      // Rejecting the last item reverses the action and leaves the item as it was.
      expect(oneRejected).toMatchObject({ State: 'REVERSED', ReversalReason: 'ITEM_RETURNED', Items: [expect.objectContaining({ Quantity: 3, OriginalQuantity: 3, Rejected: false })] });
      const none = await sale(currency, { amount: itemsOf[currency][1]!.Amount as string });
      await post(brandClient, `/api/v1/actions/${none}/reverse`, { Reason: 'TEST_ACTION' });
      await post(brandClient, `/api/v1/actions/${none}/restore`);
      expect(await expectEventIsApiAction(none, 'action.restored')).toMatchObject({ Items: [], State: 'PENDING' });
    }
  });

  it('re-attributed to another partner; approved in bulk across currencies; locked by the lock job in one statement across currencies', async () => {
    const other = await makeAccount(t.ctx, 'PARTNER', { name: `Zweiter "Partner" — 第二 🤝` });
    clock().advanceMs(-2 * 3_600_000);
    for (const currency of CURRENCIES) await acceptTerms(t.ctx, other.actor, programs[currency].termsId);
    clock().advanceMs(2 * 3_600_000);

    const moved: Record<Currency, string> = { JPY: await sale('JPY', { amount: '777' }), USD: await sale('USD', { amount: '77.70' }), KWD: await sale('KWD', { amount: '7.770' }) };
    for (const currency of CURRENCIES) {
      clock().advanceMs(17);
      await post(operatorClient, `/api/v1/operator/actions/${moved[currency]}/reattribute`, { MediaPartnerId: other.id, Reason: 'PUB_ACT_DISPUTE' });
      const action = await expectEventIsApiAction(moved[currency], 'action.reattributed', other.id);
      expect(action).toMatchObject({ MediaPartnerId: other.id, MediaPartnerName: `Zweiter "Partner" — 第二 🤝` });
    }

    const bulk = [await sale('JPY', { amount: '5' }), await sale('USD', { amount: '0.50' }), await sale('KWD', { amount: '0.500' })];
    clock().advanceMs(321);
    const outcome = ok<{ Succeeded: number }>(await brandClient.post('/api/v1/actions/bulk', { Operation: 'APPROVE', ActionIds: bulk }));
    expect(outcome.Succeeded).toBe(3);
    for (const id of bulk) expect(await expectEventIsApiAction(id, 'action.approved')).toMatchObject({ State: 'APPROVED', LockedDate: now().toISOString() });

    const due = [await sale('JPY', { amount: '1230' }), await sale('USD', { amount: '12.30' }), await sale('KWD', { amount: '1.230' })];
    const staysReversed = await sale('USD', { amount: '3.00' });
    await post(brandClient, `/api/v1/actions/${staysReversed}/reverse`, { Reason: 'CONS_ERROR' });
    clock().advanceDays(25);
    clock().advanceMs(654);
    const cursor = await outboxCursor(t.ctx.db);
    expect((await runLockJob(t.ctx)).locked).toBe(6);
    const { rows } = await t.ctx.db.query<{ subject: string }>('select subject from outbox_events where id > $1 order by id', [cursor.toString()]);
    expect(rows.map((row) => row.subject).sort()).toEqual([...Object.values(moved), ...due].map((id) => `action:${id}`).sort());
    for (const currency of CURRENCIES) {
      const locked = await expectEventIsApiAction(moved[currency], 'action.locked', other.id);
      expect(locked).toMatchObject({ State: 'APPROVED', LockedDate: locked.LockingDate, StatusDetail: 'Approved/Payment Pending' });
    }
    for (const id of due) {
      const locked = await expectEventIsApiAction(id, 'action.locked');
      expect(locked).toMatchObject({ State: 'APPROVED', LockedDate: locked.LockingDate, UpdatedDate: now().toISOString() });
      expect(locked.PaymentDate).not.toBeNull();
    }
    expect(await expectEventIsApiAction(staysReversed, 'action.reversed')).toMatchObject({ State: 'REVERSED', LockedDate: null });
  });

  it("the lock job's event holds what the lock changed and readers complete it from the previous one: names read afresh after a rename, and built whole for an action recorded before the outbox", async () => {
    // An action recorded before the outbox existed has no earlier event to start from:
    // it is below the outbox's coverage, which starts after it.
    const withoutEvents = await sale('JPY', { amount: '4000' });
    await t.ctx.db.query('delete from outbox_events where subject = $1', [`action:${withoutEvents}`]);
    const coverage = await t.ctx.db.query<{ firstId: string }>(`select first_id::text as "firstId" from outbox_coverage where resource = 'action'`);
    await t.ctx.db.query(`update outbox_coverage set first_id = $1 where resource = 'action'`, [(BigInt(withoutEvents) + 1n).toString()]);
    try {
      const renamed = await sale('USD', { amount: '40.00' });
      const modified = await sale('KWD', { amount: '4.000' });
      await post(brandClient, `/api/v1/actions/${modified}/modify`, { Reason: 'ORDER_UPDATE', Amount: '3.215' });
      // A rename writes no action event: the lock's event still carries the new name.
      ok(await brandClient.patch(`/api/v1/programs/${programs.USD.id}`, { Name: `Renamed "Outdoor" — 改名` }));
      await t.ctx.db.query('update accounts set name = $1 where id = $2', [`Renamed Partner 'P' 🏷️`, partner.id]);
      clock().advanceDays(25);
      clock().advanceMs(987);
      const cursor = await outboxCursor(t.ctx.db);
      expect((await runLockJob(t.ctx)).locked).toBe(3);
      expect(await expectEventIsApiAction(renamed, 'action.locked')).toMatchObject({ CampaignName: `Renamed "Outdoor" — 改名`, MediaPartnerName: `Renamed Partner 'P' 🏷️` });
      expect(await expectEventIsApiAction(modified, 'action.locked')).toMatchObject({ Amount: '3.215', ModificationCount: 3 });
      expect(await expectEventIsApiAction(withoutEvents, 'action.locked')).toMatchObject({ Amount: '4000', State: 'APPROVED' });
      // As stored: the two with earlier events carry only what the lock changed; the third is whole.
      const { rows } = await t.ctx.db.query<{ subject: string; changesOnly: boolean; fields: number }>(
        `select subject, changes_only as "changesOnly", (select count(*)::int from jsonb_object_keys(payload)) as fields
           from outbox_events where id > $1 order by id`,
        [cursor.toString()],
      );
      const stored = Object.fromEntries(rows.map((row) => [row.subject, row]));
      expect(stored[`action:${renamed}`]).toMatchObject({ changesOnly: true });
      expect(stored[`action:${renamed}`]!.fields).toBeLessThan(12);
      expect(stored[`action:${modified}`]).toMatchObject({ changesOnly: true });
      expect(stored[`action:${withoutEvents}`]).toMatchObject({ changesOnly: false });
      // The reader the CLI and webhooks use completes them the same way.
      const read = await readEventsAfter(t.ctx.db, cursor, { now: new Date(Date.now() + GAP_SETTLE_MS) });
      const lockedRenamed = read.events.find((event) => event.subject === `action:${renamed}`)!;
      expect(lockedRenamed.payload).toStrictEqual((await lastEventAbout(t.ctx.db, `action:${renamed}`))!.payload);
      expect(lockedRenamed.payload).toMatchObject({ Id: renamed, State: 'APPROVED', Amount: '40.00' });
    } finally {
      await t.ctx.db.query(`update outbox_coverage set first_id = $1 where resource = 'action'`, [coverage.rows[0]!.firstId]);
    }
  });

  it('a change event with no full event before it is an error for its reader, not half a payload', async () => {
    const id = await sale('USD', { amount: '12.00' });
    clock().advanceDays(25);
    const cursor = await outboxCursor(t.ctx.db);
    expect((await runLockJob(t.ctx)).locked).toBeGreaterThan(0);
    await t.ctx.db.query('delete from outbox_events where subject = $1 and not changes_only', [`action:${id}`]);
    await expect(readEventsAfter(t.ctx.db, cursor, { now: new Date(Date.now() + GAP_SETTLE_MS) })).rejects.toThrow(/holds only its changes/);
  });

  it("cost per click: a contract's action of the day counts its clicks (no ClickId), a sale has that of its conversion; reversed by an operator", async () => {
    const clicks: Record<Currency, string> = { JPY: '', USD: '', KWD: '' };
    for (const currency of CURRENCIES) clicks[currency] = await makeClick(t.ctx, partner, programs[currency], new Date(now().getTime() - 5_000 - 999));
    const body = await conversion('KWD', { amount: '0.005' });
    const saleId = ok<{ ActionId: string }>(await brandClient.post('/api/v1/conversions', body), 201).ActionId;
    // The credit job takes clicks once they are 30 s old (CREDIT_LAG_MS).
    clock().advanceMs(60_000);
    let credited: { credited: number; ran: boolean } = { credited: 0, ran: false };
    for (let attempt = 0; attempt < 200 && !credited.ran; attempt++) {
      credited = await creditClicks(t.ctx);
      if (!credited.ran) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // Its three clicks and the sale's.
    expect(credited).toMatchObject({ ran: true, credited: 4 });
    const { rows } = await t.ctx.db.query<{ id: string; clickId: string | null; clicks: number; currency: Currency; day: string }>(
      `select id::text, click_id as "clickId", click_count as clicks, currency, click_day::text as day from actions where event_kind = 'CLICK' order by id`,
    );
    // One action per contract and day: the KWD program's holds the sale's click too.
    expect(rows.map((row) => [row.currency, row.clicks]).sort()).toEqual([['JPY', 1], ['KWD', 2], ['USD', 1]]);
    const perClickMinor: Record<Currency, bigint> = { JPY: 5n, USD: 5n, KWD: 5n };
    for (const row of rows) {
      const action = await expectEventIsApiAction(row.id, 'action.created');
      expect(action).toMatchObject({ EventKind: 'CLICK', ClickId: null, OrderId: `CLICKS-${row.day}`, Amount: { JPY: '0', USD: '0.00', KWD: '0.000' }[row.currency] });
      const payoutMinor = perClickMinor[row.currency] * BigInt(row.clicks);
      expect(action.Payout).toBe({ JPY: `${payoutMinor}`, USD: `0.${String(payoutMinor).padStart(2, '0')}`, KWD: `0.${String(payoutMinor).padStart(3, '0')}` }[row.currency]);
      expect(row.clickId).toBeNull();
    }
    expect(FIXED.KWD.click).toBe('0.005');
    const saleAction = await expectEventIsApiAction(saleId, 'action.created');
    expect(saleAction).toMatchObject({ EventKind: 'SALE', ClickId: body.ClickId });
    const { rows: stored } = await t.ctx.db.query<{ clickId: string | null }>('select click_id as "clickId" from actions where id = $1', [saleId]);
    expect(stored[0]!.clickId, 'a sale takes its ClickId from its conversion').toBeNull();

    const cpc = rows.find((row) => row.currency === 'KWD')!.id;
    clock().advanceMs(42);
    await post(operatorClient, `/api/v1/operator/actions/${cpc}/reverse-cpc`, { Reason: 'CONS_FRAUD' });
    expect(await expectEventIsApiAction(cpc, 'action.reversed')).toMatchObject({ State: 'REVERSED', ReversalReason: 'CONS_FRAUD', Payout: '0.010' });
  });

  it('paid and overdue: ClearedDate and the status detail as of the change, with microseconds in the stored timestamps', async () => {
    // No operation clears an action yet; the columns are written here as a payment run would write them.
    const paid = await sale('KWD', { amount: '10.000' });
    const overdue = await sale('JPY', { amount: '10000' });
    await post(brandClient, '/api/v1/actions/bulk', { Operation: 'APPROVE', ActionIds: [paid, overdue] });
    await t.ctx.db.query(
      `update actions set cleared_at = timestamptz '2026-02-20T10:11:12.345678Z', updated_at = timestamptz '2026-01-15T13:00:00.999999Z' where id = $1`,
      [paid],
    );
    clock().advanceDays(60);
    await t.ctx.db.transaction((tx) =>
      recordActionEvents(tx, [{ id: paid, type: 'action.approved' }, { id: overdue, type: 'action.approved' }], ['KWD', 'JPY'], now()),
    );
    expect(await expectEventIsApiAction(paid, 'action.approved')).toMatchObject({
      StatusDetail: 'Approved/Paid',
      ClearedDate: '2026-02-20T10:11:12.345Z',
      UpdatedDate: '2026-01-15T13:00:00.999Z',
    });
    expect(await expectEventIsApiAction(overdue, 'action.approved')).toMatchObject({ StatusDetail: 'Approved/Overdue', ClearedDate: null });
  });

  it('a rolled-back change writes no event; an unknown action or currency throws and keeps nothing', async () => {
    const id = await sale('USD', { amount: '10.00' });
    const events = async () => (await t.ctx.db.query<{ n: number }>('select count(*)::int as n from outbox_events')).rows[0]!.n;
    const before = await events();
    await expect(
      t.ctx.db.transaction(async (tx) => {
        await tx.query(`update actions set state = 'REVERSED', reversal_reason = 'CONS_FRAUD' where id = $1`, [id]);
        await recordActionEvents(tx, [{ id, type: 'action.reversed' }], ['USD'], now());
        const { rows } = await tx.query<{ n: number }>('select count(*)::int as n from outbox_events');
        expect(rows[0]!.n, 'the event is there inside the transaction').toBe(before + 1);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await events()).toBe(before);
    expect(await expectEventIsApiAction(id, 'action.created')).toMatchObject({ State: 'PENDING' });

    await expect(
      t.ctx.db.transaction((tx) => recordActionEvents(tx, [{ id, type: 'action.modified' }, { id: 999_999_999n, type: 'action.modified' }], ['USD'], now())),
    ).rejects.toThrow(/2 action event\(s\) were to be written but 1 were/);
    expect(await events()).toBe(before);
    await expect(t.ctx.db.transaction((tx) => recordActionEvents(tx, [{ id, type: 'action.modified' }], ['JPY'], now()))).rejects.toThrow(
      /were to be written but 0 were/,
    );
    expect(await events()).toBe(before);
    await expect(t.ctx.db.transaction((tx) => recordActionEvents(tx, [{ id, type: 'action.modified' }], ['XXX'], now()))).rejects.toThrow(
      /not a supported ISO 4217 currency/,
    );
    expect(await events()).toBe(before);
    // Nothing to record is no statement at all.
    await t.ctx.db.transaction((tx) => recordActionEvents(tx, [], [], now()));
    expect(await events()).toBe(before);
  });
});

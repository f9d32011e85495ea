/**
 * The action lifecycle through HTTP: conversions (single, batch, rejections, bad
 * input), one test per row of the docs/domain.md actions table with its modification
 * history, the refusals (locked, after the locking date, wrong party, another brand),
 * bulk operations, the list filters and balances. Every money-moving test ends with
 * the ledger checked against the actions.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockDueActions } from '../../src/modules/actions/lock-due-actions.js';
import { expireContract } from '../../src/modules/contracts/expire-contract.js';
import { recordConversions } from '../../src/modules/conversions/record-conversions.js';
import { createEventType } from '../../src/modules/programs/create-event-type.js';
import { createTemplateTerms } from '../../src/modules/programs/template-terms.js';
import { acceptTerms } from '../../src/modules/contracts/accept-terms.js';
import { actionRow, makeClick, makeSaleAction, nextOrderId } from '../support/actions.js';
import {
  accountClient,
  clientFor,
  expectLedgerMatchesActions,
  ledgerBalance,
  makeActionWorld,
  makeClickAction,
  runLockJob,
  type ActionWorld,
} from '../support/action-helpers.js';
import { makeAccount, makeOperator, startTestApp, type Client, type TestAccount, type TestApp } from '../support/app.js';
import { describeDb, type DbTestContext } from '../support/db.js';
import { expectEvents, outboxCursor } from '../support/outbox.js';
import { makeContract, makeProgram, type TestProgram } from '../support/programs.js';

const ITEMS = [
  { Sku: 'T1', Category: 'Tents', Quantity: 1, Amount: '200.00' },
  { Sku: 'S1', Category: 'Socks', Quantity: 2, Amount: '15.05' },
];

interface Modification {
  Seq: number;
  Operation: string;
  ActorKind: string;
  ActorUserId: number | null;
  ActorName: string | null;
  Reason: string | null;
  StateBefore: string | null;
  StateAfter: string;
  AmountBefore: string | null;
  AmountAfter: string;
  PayoutBefore: string | null;
  PayoutAfter: string;
  DeltaAmount: string;
  DeltaPayout: string;
  Detail: Record<string, unknown> | null;
}

interface ActionBody {
  Id: string;
  State: string;
  StatusDetail: string;
  ReversalReason: string | null;
  Amount: string;
  Payout: string;
  DeltaAmount: string;
  DeltaPayout: string;
  IntendedAmount: string;
  IntendedPayout: string;
  MediaPartnerId: number;
  ContractId: number;
  EventKind: string;
  OrderId: string | null;
  ClickId: string | null;
  EventDate: string;
  ReferringDate: string | null;
  LockingDate: string;
  LockedDate: string | null;
  PaymentDate: string | null;
  ModificationCount: number;
  Items: Array<{ Index: number; Quantity: number; Amount: string; OriginalAmount: string | null; OriginalQuantity: number | null; Rejected: boolean }>;
  Modifications: Modification[];
}

// biome-ignore lint/suspicious/noExplicitAny: by default a test reads the fields it checks without declaring the answer's whole type
function ok<T = any>(response: LightMyRequestResponse, status = 200): T {
  expect(response.statusCode, response.body.slice(0, 500)).toBe(status);
  return response.json() as T;
}

/** A problem answer with the status and, when given, the typed refusal. */
function problem(response: LightMyRequestResponse, status: number, refusal?: string): { detail: string; refusal?: string } {
  expect(response.statusCode, response.body.slice(0, 500)).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json() as { detail: string; refusal?: string; status: number };
  expect(body.status).toBe(status);
  expect(body.detail.length).toBeGreaterThan(0);
  if (refusal) expect(body.refusal).toBe(refusal);
  return body;
}

/** The outbox event of each operation, as the modification history names it. */
const EVENT_OF_OPERATION: Record<string, string> = {
  APPROVE: 'action.approved',
  REVERSE: 'action.reversed',
  REVERSE_CPC: 'action.reversed',
  MODIFY_AMOUNT: 'action.modified',
  REJECT_ITEM: 'action.item_rejected',
  RESTORE: 'action.restored',
  RESET: 'action.reset',
  REATTRIBUTE: 'action.reattributed',
  LOCK: 'action.locked',
};

function lastMod(action: ActionBody): Modification {
  return action.Modifications[action.Modifications.length - 1]!;
}

describeDb('actions through the HTTP API', (db) => {
  let t: TestApp;
  let w: ActionWorld;
  let brand: TestAccount;
  let partner: TestAccount;
  let program: TestProgram;
  let brandClient: Client;
  let partnerClient: Client;
  let operatorClient: Client;
  let operatorUserId: number;

  beforeEach(async () => {
    t = await startTestApp(db());
    w = await makeActionWorld(t.ctx, db().clock);
    ({ brand, partner, program } = w);
    brandClient = await accountClient(t, brand);
    partnerClient = await accountClient(t, partner);
    const operator = await makeOperator(t.ctx);
    operatorUserId = operator.userId;
    operatorClient = await clientFor(t, operator.userId);
  });
  afterEach(async () => t.close());

  const clock = () => db().clock;
  const now = () => t.ctx.clock.now();

  async function counts(): Promise<{ conversions: number; actions: number; modifications: number; transfers: number }> {
    const { rows } = await t.ctx.db.query<{ conversions: number; actions: number; modifications: number; transfers: number }>(
      `select (select count(*)::int from conversions) as conversions, (select count(*)::int from actions) as actions,
              (select count(*)::int from action_modifications) as modifications, (select count(*)::int from ledger_transfers) as transfers`,
    );
    return rows[0]!;
  }

  async function sale(options: { amount?: string; items?: typeof ITEMS; eventAt?: Date; who?: TestAccount; prog?: TestProgram } = {}): Promise<string> {
    const id = await makeSaleAction(t.ctx, brand, options.who ?? partner, options.prog ?? program, {
      ...(options.items ? { items: options.items } : { amount: options.amount ?? '100.00' }),
      ...(options.eventAt ? { eventAt: options.eventAt } : {}),
    });
    return id.toString();
  }

  const detail = async (id: string, client: Client = brandClient) => ok<ActionBody>(await client.get(`/api/v1/actions/${id}`));
  // Operations without parameters get an empty JSON object; sending no body at all is tested on its own.
  // Every operation is checked for the outbox events it wrote: one per change, in the
  // API's shape of the action after it, or none when it was refused.
  const post = (client: Client, id: string, op: string, body: unknown = {}) => withEvents(client, `/api/v1/actions/${id}/${op}`, id, op, body);
  const opPost = (client: Client, id: string, op: string, body: unknown = {}) => withEvents(client, `/api/v1/operator/actions/${id}/${op}`, id, op, body);
  const withEvents = async (client: Client, url: string, id: string, op: string, body: unknown) => {
    const cursor = await outboxCursor(t.ctx.db);
    const response = await client.post(url, body);
    if (response.statusCode >= 400) {
      await expectEvents(t.ctx.db, cursor, { types: [] });
    } else {
      const answer = response.json() as Record<string, unknown>;
      const changes = answer.ModificationCount as number;
      const before = (answer.Modifications as Array<{ Seq: number; Operation: string }>).filter((m) => m.Seq > changes - stepsOf(op, body));
      await expectEvents(t.ctx.db, cursor, {
        types: before.map((m) => EVENT_OF_OPERATION[m.Operation]!),
        subject: `action:${id}`,
        resource: answer,
      });
    }
    return response;
  };
  /** How many changes an operation makes: one, or one per kind of change for Modify Item Details. */
  const stepsOf = (op: string, body: unknown) => {
    if (op !== 'modify-items') return 1;
    const items = (body as { Items?: Array<{ Reject?: boolean; Amount?: string }> }).Items ?? [];
    return items.filter((item) => item.Reject).length + (items.some((item) => item.Amount !== undefined) ? 1 : 0);
  };

  // ---------------------------------------------------------------------------------
  describe('conversions', () => {
    function body(clickId: string | undefined, overrides: Record<string, unknown> = {}) {
      return {
        ActionTrackerId: program.saleEventTypeId,
        OrderId: nextOrderId(),
        EventDate: now().toISOString(),
        ...(clickId ? { ClickId: clickId } : {}),
        Amount: '100.00',
        ...overrides,
      };
    }

    it('one conversion: 201 and a pending action; the same body again is 200 with the same action; another body is 409', async () => {
      const clickAt = new Date(now().getTime() - 5 * 60_000);
      const click = await makeClick(t.ctx, partner, program, clickAt);
      const first = body(click);
      const cursor = await outboxCursor(t.ctx.db);
      const created = ok(await brandClient.post('/api/v1/conversions', first), 201);
      expect(created).toMatchObject({ Index: 0, Status: 'ACCEPTED', Duplicate: false, RejectReason: null });
      expect(created.ActionId).toMatch(/^\d+$/);
      await expectEvents(t.ctx.db, cursor, {
        types: ['action.created'],
        subject: `action:${created.ActionId}`,
        accountIds: [brand.id, partner.id],
        resource: await detail(created.ActionId),
      });
      const before = await counts();
      const afterCreate = await outboxCursor(t.ctx.db);

      const again = ok(await brandClient.post('/api/v1/conversions', first), 200);
      expect(again).toEqual({ ...created, Duplicate: true });
      problem(await brandClient.post('/api/v1/conversions', { ...first, Amount: '100.01' }), 409);
      problem(await brandClient.post('/api/v1/conversions', { ...first, EventDate: new Date(now().getTime() - 1000).toISOString() }), 409);
      expect(await counts()).toEqual(before);
      // A retry and a refusal change nothing, so they write no event.
      await expectEvents(t.ctx.db, afterCreate, { types: [] });

      const action = await detail(created.ActionId);
      expect(action).toMatchObject({
        State: 'PENDING',
        StatusDetail: 'Pending',
        Amount: '100.00',
        Payout: '10.00',
        IntendedAmount: '100.00',
        IntendedPayout: '10.00',
        DeltaAmount: '0.00',
        DeltaPayout: '0.00',
        MediaPartnerId: partner.id,
        ContractId: w.contractId,
        EventKind: 'SALE',
        OrderId: first.OrderId,
        ReferringDate: clickAt.toISOString(),
        EventDate: first.EventDate,
        // Tracked on 15 January in New York, locked 14 days after the end of that day.
        LockingDate: '2026-01-30T05:00:00.000Z',
        LockedDate: null,
        ModificationCount: 1,
      });
      expect(action.Modifications).toEqual([
        expect.objectContaining({ Seq: 1, Operation: 'CREATE', ActorKind: 'BRAND', StateBefore: null, StateAfter: 'PENDING', AmountAfter: '100.00', PayoutAfter: '10.00' }),
      ]);
      // The partner sees its new action too.
      expect((await detail(created.ActionId, partnerClient)).Payout).toBe('10.00');
    });

    it('works with the account credentials (HTTP Basic), as integrations call it', async () => {
      const issued = ok(await brandClient.post('/api/v1/credentials', { Label: 'shop' }), 201);
      const basic = new (brandClient.constructor as typeof Client)(t.app, {
        authorization: `Basic ${Buffer.from(`${issued.AccountSid}:${issued.AuthToken}`).toString('base64')}`,
      });
      const click = await makeClick(t.ctx, partner, program, new Date(now().getTime() - 60_000));
      const result = ok(await basic.post('/api/v1/conversions', body(click, { Items: ITEMS, Amount: undefined })), 201);
      expect(result.Status).toBe('ACCEPTED');
      expect(await detail(result.ActionId)).toMatchObject({ Amount: '215.05', Payout: '41.51' });
    });

    it('a batch: each row its own result, duplicates and conflicts within and across batches, invalid rows not stored', async () => {
      const click = await makeClick(t.ctx, partner, program, new Date(now().getTime() - 60_000));
      const a = body(click);
      const b = body(click, { Amount: '20.00' });
      const c = body(undefined);
      const bad = body(click, { Amount: '1.001' });
      const first = ok(await brandClient.post('/api/v1/conversions/batch', { Conversions: [a, b, c, bad, a, { ...b, Amount: '21.00' }] }));
      expect(first).toMatchObject({ Accepted: 3, Rejected: 1, Invalid: 1, Conflicts: 1, Duplicates: 1 });
      expect(first.Results.map((r: { Index: number; Status: string }) => [r.Index, r.Status])).toEqual([
        [0, 'ACCEPTED'],
        [1, 'ACCEPTED'],
        [2, 'REJECTED'],
        [3, 'INVALID'],
        [4, 'ACCEPTED'],
        [5, 'CONFLICT'],
      ]);
      expect(first.Results[4]).toMatchObject({ Duplicate: true, ActionId: first.Results[0].ActionId });
      expect(first.Results[2]).toMatchObject({ RejectReason: 'NO_CLICK', ActionId: null });
      expect(first.Results[3].Message).toMatch(/Amount/);
      expect(await counts()).toMatchObject({ conversions: 3, actions: 2 });

      const second = ok(await brandClient.post('/api/v1/conversions/batch', { Conversions: [b, { ...a, Amount: '99.00' }, c] }));
      expect(second).toMatchObject({ Accepted: 1, Rejected: 1, Conflicts: 1, Duplicates: 2 });
      expect(second.Results[0]).toMatchObject({ Status: 'ACCEPTED', Duplicate: true, ActionId: first.Results[1].ActionId });
      expect(second.Results[2]).toMatchObject({ Status: 'REJECTED', Duplicate: true, RejectReason: 'NO_CLICK' });
      expect(await counts()).toMatchObject({ conversions: 3, actions: 2 });
    });

    it('rejected conversions keep their reason and are listed with status=REJECTED', async () => {
      const reasons: Record<string, string> = {};
      const post = async (input: Record<string, unknown>, expected: string) => {
        const result = ok(await brandClient.post('/api/v1/conversions', input), 201);
        expect(result, expected).toMatchObject({ Status: 'REJECTED', RejectReason: expected, ActionId: null, Duplicate: false });
        reasons[input.OrderId as string] = expected;
      };
      const earlier = new Date(now().getTime() - 60_000);

      await post(body(undefined), 'NO_CLICK');
      await post(body('t-no-such-click'), 'UNKNOWN_CLICK');

      const otherProgram = await makeProgram(t.ctx, brand);
      await post(body(await makeClick(t.ctx, partner, otherProgram, earlier)), 'CLICK_OTHER_PROGRAM');

      const late = await makeClick(t.ctx, partner, program, now());
      await post(body(late, { EventDate: new Date(now().getTime() - 3_600_000).toISOString() }), 'EVENT_BEFORE_CLICK');

      const other = await createEventType(t.ctx, brand.actor, program.id, { name: 'Signup', kind: 'OTHER' });
      await post(body(await makeClick(t.ctx, partner, program, earlier), { ActionTrackerId: other.id }), 'NOT_IN_TERMS');

      const stranger = await makeAccount(t.ctx, 'PARTNER');
      await post(body(await makeClick(t.ctx, stranger, program, earlier)), 'NO_CONTRACT');

      // Expire a contract now; clicks on live links still count, but a conversion dated
      // after the end earns nothing, while one dated before it is still credited.
      const leaver = await makeAccount(t.ctx, 'PARTNER');
      const leaverContract = await makeContract(t.ctx, leaver, program);
      clock().advanceMs(60_000);
      const leaverClick = await makeClick(t.ctx, leaver, program, now());
      clock().advanceMs(60_000);
      const beforeEnd = now().toISOString();
      clock().advanceMs(60_000);
      await expireContract(t.ctx, leaver.actor, leaverContract, {});
      clock().advanceMs(60_000);
      await post(body(leaverClick), 'CONTRACT_EXPIRED');
      const stillCredited = ok(await brandClient.post('/api/v1/conversions', body(leaverClick, { EventDate: beforeEnd })), 201);
      expect(stillCredited).toMatchObject({ Status: 'ACCEPTED' });

      const closed = await makeAccount(t.ctx, 'PARTNER');
      await makeContract(t.ctx, closed, program);
      clock().advanceMs(60_000);
      const closedClick = await makeClick(t.ctx, closed, program, now());
      await t.ctx.db.query(`update accounts set status = 'CLOSED', closed_at = $2 where id = $1`, [closed.id, now()]);
      clock().advanceMs(60_000);
      await post(body(closedClick), 'PARTNER_CLOSED');

      const listed = ok(await brandClient.get('/api/v1/conversions?status=REJECTED&pageSize=100'));
      expect(listed.Total).toBe(8);
      expect(Object.fromEntries(listed.Items.map((c: { OrderId: string; RejectReason: string }) => [c.OrderId, c.RejectReason]))).toEqual(reasons);
      for (const item of listed.Items) expect(item).toMatchObject({ Status: 'REJECTED', ActionId: null });
      const byReason = ok(await brandClient.get('/api/v1/conversions?rejectReason=CONTRACT_EXPIRED'));
      expect(byReason.Items).toEqual([expect.objectContaining({ MediaPartnerId: leaver.id, RejectReason: 'CONTRACT_EXPIRED' })]);
      const accepted = ok(await brandClient.get('/api/v1/conversions?status=ACCEPTED'));
      expect(accepted.Items.map((c: { ActionId: string }) => c.ActionId)).toEqual([stillCredited.ActionId]);
      expect(await counts()).toMatchObject({ actions: 1 });
      // A partner cannot read a brand's conversions.
      problem(await partnerClient.get('/api/v1/conversions'), 403);
    });

    it('bad input is a 400 naming the problem, and stores nothing', async () => {
      const click = await makeClick(t.ctx, partner, program, new Date(now().getTime() - 60_000));
      const otherBrand = await makeAccount(t.ctx, 'BRAND');
      const otherProgram = await makeProgram(t.ctx, otherBrand);
      const cases: Array<[string, Record<string, unknown>, RegExp?]> = [
        ['a negative amount', body(click, { Amount: '-5.00' }), /negative/],
        ['three decimals in USD', body(click, { Amount: '10.001' }), /Amount/],
        ['an amount as a JSON number', body(click, { Amount: 10 })],
        ['a currency not the program’s', body(click, { CurrencyCode: 'EUR' }), /EUR/],
        ['an unknown ActionTrackerId', body(click, { ActionTrackerId: 999_999 }), /999999/],
        ["another brand's ActionTrackerId", body(click, { ActionTrackerId: otherProgram.saleEventTypeId })],
        ['the CLICK event type', body(click, { ActionTrackerId: program.clickEventTypeId }), /CLICK/],
        ['an event date a day in the future', body(click, { EventDate: new Date(now().getTime() + 86_400_000).toISOString() }), /future/],
        ['an event date without offset', body(click, { EventDate: '2026-01-15T12:30:00' }), /offset/],
        ['an event date that is no date', body(click, { EventDate: 'yesterday' })],
        ['an event date three years ago', body(click, { EventDate: '2023-01-01T00:00:00Z' })],
        ['an OrderId of 65 characters', body(click, { OrderId: 'x'.repeat(65) })],
        ['a blank OrderId', body(click, { OrderId: '   ' })],
        ['an unknown field', body(click, { Foo: 'bar' }), /Foo/],
        ['an unknown item field', body(click, { Amount: undefined, Items: [{ ...ITEMS[0], Colour: 'red' }] })],
        ['items not summing to the amount', body(click, { Amount: '215.00', Items: ITEMS }), /sum/],
        ['an item of quantity 0', body(click, { Amount: undefined, Items: [{ ...ITEMS[0], Quantity: 0 }] })],
        ['a sale without amount or items', body(click, { Amount: undefined })],
        ['a ClickId of 65 characters', body('c'.repeat(65))],
      ];
      const before = await counts();
      for (const [label, input, detailPattern] of cases) {
        const response = await brandClient.post('/api/v1/conversions', JSON.parse(JSON.stringify(input)));
        expect(response.statusCode, `${label}: ${response.body}`).toBe(400);
        const body = response.json() as { detail: string };
        if (detailPattern) expect(body.detail, label).toMatch(detailPattern);
        expect(await counts(), label).toEqual(before);
      }
      // A partner cannot report conversions.
      problem(await partnerClient.post('/api/v1/conversions', body(click)), 403);
      expect(await counts()).toEqual(before);
    });

    it('a batch of more than 10,000 is refused whole', async () => {
      const click = await makeClick(t.ctx, partner, program, new Date(now().getTime() - 60_000));
      const one = body(click);
      const conversions = Array.from({ length: 10_001 }, (_, i) => ({ ...one, OrderId: `BIG-${i}` }));
      const before = await counts();
      const response = await brandClient.post('/api/v1/conversions/batch', { Conversions: conversions });
      expect([400, 413]).toContain(response.statusCode);
      expect(await counts()).toEqual(before);
      problem(await brandClient.post('/api/v1/conversions/batch', { Conversions: [] }), 400);
    });
  });

  // ---------------------------------------------------------------------------------
  describe('one test per row of the actions table', () => {
    it('approve: PENDING → APPROVED now, posted to the ledger; approving again is refused as locked', async () => {
      const id = await sale({ amount: '80.00' });
      const approved = ok<ActionBody>(await post(brandClient, id, 'approve'));
      expect(approved).toMatchObject({ Id: id, State: 'APPROVED', StatusDetail: 'Approved/Payment Pending', Amount: '80.00', Payout: '8.00', ModificationCount: 2 });
      expect(approved.LockedDate).toBe(now().toISOString());
      // Locked in January, paid 19 days after the end of January (New York midnight).
      expect(approved.PaymentDate).toBe('2026-02-20T05:00:00.000Z');
      expect(lastMod(approved)).toEqual({
        Seq: 2,
        Date: now().toISOString(),
        Operation: 'APPROVE',
        ActorKind: 'BRAND',
        ActorUserId: brand.adminUserId,
        ActorCredentialId: null,
        ActorName: 'Admin',
        Reason: null,
        StateBefore: 'PENDING',
        StateAfter: 'APPROVED',
        AmountBefore: '80.00',
        AmountAfter: '80.00',
        PayoutBefore: '8.00',
        PayoutAfter: '8.00',
        DeltaAmount: '0.00',
        DeltaPayout: '0.00',
        Detail: {},
      });
      const before = await counts();
      problem(await post(brandClient, id, 'approve'), 409, 'locked');
      problem(await post(brandClient, id, 'reverse', { Reason: 'CONS_FRAUD' }), 409, 'locked');
      problem(await post(brandClient, id, 'modify', { Reason: 'ORDER_UPDATE', Amount: '1.00' }), 409, 'locked');
      problem(await post(brandClient, id, 'reset'), 409, 'locked');
      expect(await counts()).toEqual(before);
      expect(await ledgerBalance(t.ctx, 'PARTNER_PAYMENT_PENDING', partner.id)).toBe(800n);
      expect(await ledgerBalance(t.ctx, 'BRAND_PAYABLE', brand.id)).toBe(-800n);
      // The partner sees that the brand approved, not who at the brand did it.
      const seen = await detail(id, partnerClient);
      expect(lastMod(seen)).toMatchObject({ Operation: 'APPROVE', ActorKind: 'BRAND', ActorUserId: null, ActorName: null });
      await expectLedgerMatchesActions(t.ctx);
    });

    it('approve, restore and reset take no parameters: a POST without a body works (curl -X POST …/approve)', async () => {
      // The routes declare their body optional; a request with no body at all must not be a 400.
      const id = await sale();
      const reversed = await sale();
      ok(await post(brandClient, reversed, 'reverse', { Reason: 'CONS_FRAUD' }));
      const noBody = (path: string) => brandClient.request({ method: 'POST', url: path });
      expect((await noBody(`/api/v1/actions/${reversed}/restore`)).statusCode).toBe(200);
      expect((await noBody(`/api/v1/actions/${reversed}/reset`)).statusCode).toBe(200);
      const approved = await noBody(`/api/v1/actions/${id}/approve`);
      expect(approved.statusCode, approved.body.slice(0, 300)).toBe(200);
      expect(approved.json().State).toBe('APPROVED');
    });

    it('reverse: a reason is required and must be a known code; PENDING → REVERSED, nothing posted', async () => {
      const id = await sale();
      const before = await counts();
      problem(await post(brandClient, id, 'reverse', {}), 400);
      problem(await post(brandClient, id, 'reverse'), 400);
      problem(await post(brandClient, id, 'reverse', { Reason: 'NOPE' }), 400);
      problem(await post(brandClient, id, 'reverse', { Reason: 'RESET' }), 400);
      problem(await post(brandClient, id, 'reverse', { Reason: 'CONS_FRAUD', Note: 'x' }), 400);
      expect(await counts()).toEqual(before);

      const reversed = ok<ActionBody>(await post(brandClient, id, 'reverse', { Reason: 'CONS_FRAUD' }));
      expect(reversed).toMatchObject({ State: 'REVERSED', StatusDetail: 'Reversed/CONS_FRAUD', ReversalReason: 'CONS_FRAUD', Amount: '100.00', Payout: '10.00' });
      expect(lastMod(reversed)).toMatchObject({
        Seq: 2,
        Operation: 'REVERSE',
        ActorKind: 'BRAND',
        ActorUserId: brand.adminUserId,
        Reason: 'CONS_FRAUD',
        StateBefore: 'PENDING',
        StateAfter: 'REVERSED',
        DeltaAmount: '0.00',
        DeltaPayout: '0.00',
      });
      problem(await post(brandClient, id, 'reverse', { Reason: 'CONS_FRAUD' }), 409, 'wrong_state');
      problem(await post(brandClient, id, 'approve'), 409, 'wrong_state');
      problem(await post(brandClient, id, 'modify', { Reason: 'ORDER_UPDATE', Amount: '5.00' }), 409, 'wrong_state');
      expect((await detail(id)).ModificationCount).toBe(2);
      expect((await counts()).transfers).toBe(0);
      await expectLedgerMatchesActions(t.ctx);
    });

    it('modify the order amount: the payout is recomputed; approving posts the new payout', async () => {
      const id = await sale();
      const modified = ok<ActionBody>(await post(brandClient, id, 'modify', { Reason: 'ORDER_UPDATE', Amount: '60.00' }));
      expect(modified).toMatchObject({
        State: 'PENDING',
        Amount: '60.00',
        Payout: '6.00',
        DeltaAmount: '-40.00',
        DeltaPayout: '-4.00',
        IntendedAmount: '100.00',
        IntendedPayout: '10.00',
        ModificationCount: 2,
      });
      expect(lastMod(modified)).toMatchObject({
        Operation: 'MODIFY_AMOUNT',
        ActorKind: 'BRAND',
        ActorUserId: brand.adminUserId,
        Reason: 'ORDER_UPDATE',
        StateBefore: 'PENDING',
        StateAfter: 'PENDING',
        AmountBefore: '100.00',
        AmountAfter: '60.00',
        PayoutBefore: '10.00',
        PayoutAfter: '6.00',
        DeltaAmount: '-40.00',
        DeltaPayout: '-4.00',
      });
      const up = ok<ActionBody>(await post(brandClient, id, 'modify', { Reason: 'ORDER_UPDATE', Amount: '123.45' }));
      expect(up).toMatchObject({ Amount: '123.45', Payout: '12.35', DeltaAmount: '23.45', DeltaPayout: '2.35' });
      expect(lastMod(up)).toMatchObject({ AmountBefore: '60.00', AmountAfter: '123.45', DeltaAmount: '63.45', DeltaPayout: '6.35' });

      const before = await counts();
      for (const bad of [
        { Reason: 'ORDER_UPDATE' },
        { Amount: '5.00' },
        { Reason: 'ORDER_UPDATE', Amount: '1.001' },
        { Reason: 'ORDER_UPDATE', Amount: '-1.00' },
        { Reason: 'ORDER_UPDATE', Amount: 'ten' },
        { Reason: 'ORDER_UPDATE', Amount: '5.00', Items: [{ Index: 1, Amount: '1.00' }] },
        { Reason: 'ORDER_UPDATE', Items: [{ Index: 1, Amount: '1.00' }] }, // no items on this action
      ]) {
        expect((await post(brandClient, id, 'modify', bad)).statusCode, JSON.stringify(bad)).toBe(400);
      }
      expect(await counts()).toEqual(before);

      ok(await post(brandClient, id, 'approve'));
      expect(await ledgerBalance(t.ctx, 'PARTNER_PAYMENT_PENDING', partner.id)).toBe(1235n);
      await expectLedgerMatchesActions(t.ctx);
    });

    it('modify item amounts: the order amount is their sum, the payout follows the payout groups', async () => {
      const id = await sale({ items: ITEMS });
      expect(await detail(id)).toMatchObject({ Amount: '215.05', Payout: '41.51' });
      const modified = ok<ActionBody>(await post(brandClient, id, 'modify', { Reason: 'ITEM_RETURNED', Items: [{ Index: 2, Amount: '5.00' }] }));
      // Tents 200.00 at 20% + socks 5.00 at 10% = 40.00 + 0.50
      expect(modified).toMatchObject({ State: 'PENDING', Amount: '205.00', Payout: '40.50' });
      expect(modified.Items[1]).toMatchObject({ Index: 2, Quantity: 2, Amount: '5.00', OriginalAmount: '15.05', OriginalQuantity: 2, Rejected: false });
      expect(lastMod(modified)).toMatchObject({ Operation: 'MODIFY_AMOUNT', Reason: 'ITEM_RETURNED', AmountBefore: '215.05', AmountAfter: '205.00', PayoutBefore: '41.51', PayoutAfter: '40.50' });

      // The order amount of an action with items is spread over them, exactly.
      const scaled = ok<ActionBody>(await post(brandClient, id, 'modify', { Reason: 'ORDER_UPDATE', Amount: '102.50' }));
      expect(scaled.Amount).toBe('102.50');
      const itemSum = scaled.Items.reduce((s, i) => s + Math.round(Number(i.Amount) * 100), 0);
      expect(itemSum).toBe(10250);
      expect(scaled.Items.map((i) => i.Amount)).toEqual(['100.00', '2.50']);
      expect(scaled.Payout).toBe('20.25');

      problem(await post(brandClient, id, 'modify', { Reason: 'ITEM_RETURNED', Items: [{ Index: 8, Amount: '1.00' }] }), 400);
      ok(await post(brandClient, id, 'approve'));
      expect(await ledgerBalance(t.ctx, 'PARTNER_PAYMENT_PENDING', partner.id)).toBe(2025n);
      await expectLedgerMatchesActions(t.ctx);
    });

    it('modify to Amount "0" reverses the action, and a restore brings it back as it was', async () => {
      const id = await sale({ amount: '75.00' });
      const zero = ok<ActionBody>(await post(brandClient, id, 'modify', { Reason: 'ITEM_RETURNED', Amount: '0' }));
      expect(zero).toMatchObject({ State: 'REVERSED', StatusDetail: 'Reversed/ITEM_RETURNED', ReversalReason: 'ITEM_RETURNED' });
      expect(lastMod(zero)).toMatchObject({ Operation: 'MODIFY_AMOUNT', Reason: 'ITEM_RETURNED', StateBefore: 'PENDING', StateAfter: 'REVERSED' });
      const restored = ok<ActionBody>(await post(brandClient, id, 'restore'));
      expect(restored).toMatchObject({ State: 'PENDING', Amount: '75.00', Payout: '7.50', ReversalReason: null });
      await expectLedgerMatchesActions(t.ctx);
    });

    it('modify a zero-amount lead to "0.00" keeps it pending (its original amount was 0)', async () => {
      const click = await makeClick(t.ctx, partner, program, new Date(now().getTime() - 60_000));
      const [lead] = await recordConversions(t.ctx, brand.actor, [
        { ActionTrackerId: program.leadEventTypeId, OrderId: nextOrderId(), EventDate: now().toISOString(), ClickId: click },
      ]);
      const id = (lead as { actionId: string }).actionId;
      expect(await detail(id)).toMatchObject({ Amount: '0.00', Payout: '2.00' });
      const same = ok<ActionBody>(await post(brandClient, id, 'modify', { Reason: 'ORDER_UPDATE', Amount: '0.00' }));
      expect(same).toMatchObject({ State: 'PENDING', Amount: '0.00', Payout: '2.00' });
    });

    it('reject item: its quantity becomes 0 and the payout follows; rejecting the last item reverses the action', async () => {
      const id = await sale({ items: ITEMS });
      const first = ok<ActionBody>(await post(brandClient, id, 'reject-item', { ItemIndex: 1, Reason: 'ITEM_RETURNED' }));
      expect(first).toMatchObject({ State: 'PENDING', Amount: '15.05', Payout: '1.51' });
      expect(first.Items[0]).toMatchObject({ Quantity: 0, Amount: '0.00', Rejected: true, OriginalQuantity: 1, OriginalAmount: '200.00' });
      expect(lastMod(first)).toMatchObject({
        Operation: 'REJECT_ITEM',
        Reason: 'ITEM_RETURNED',
        AmountBefore: '215.05',
        AmountAfter: '15.05',
        PayoutBefore: '41.51',
        PayoutAfter: '1.51',
        DeltaPayout: '-40.00',
        Detail: { ItemIndex: 1 },
      });
      const before = await counts();
      problem(await post(brandClient, id, 'reject-item', { ItemIndex: 1, Reason: 'ITEM_RETURNED' }), 400, 'invalid');
      problem(await post(brandClient, id, 'reject-item', { ItemIndex: 6, Reason: 'ITEM_RETURNED' }), 400, 'invalid');
      problem(await post(brandClient, id, 'reject-item', { ItemIndex: 2 }), 400);
      problem(await post(brandClient, id, 'reject-item', { ItemIndex: 0, Reason: 'ITEM_RETURNED' }), 400);
      expect(await counts()).toEqual(before);

      const last = ok<ActionBody>(await post(brandClient, id, 'reject-item', { ItemIndex: 2, Reason: 'ITEM_OUT_OF_STOCK' }));
      expect(last).toMatchObject({ State: 'REVERSED', StatusDetail: 'Reversed/ITEM_OUT_OF_STOCK' });
      expect(lastMod(last)).toMatchObject({ Operation: 'REJECT_ITEM', StateBefore: 'PENDING', StateAfter: 'REVERSED', Detail: { ItemIndex: 2, LastItem: true } });
      const noItems = await sale();
      problem(await post(brandClient, noItems, 'reject-item', { ItemIndex: 1, Reason: 'ITEM_RETURNED' }), 400, 'invalid');
      await expectLedgerMatchesActions(t.ctx);
    });

    it('Modify Item Details in one request: rejections then new amounts, each recorded, all or nothing', async () => {
      const id = await sale({ items: ITEMS });
      const both = ok<ActionBody>(
        await post(brandClient, id, 'modify-items', { Reason: 'ITEM_RETURNED', Items: [{ Index: 2, Amount: '10.00' }, { Index: 1, Reject: true }] }),
      );
      expect(both).toMatchObject({ State: 'PENDING', Amount: '10.00', Payout: '1.00', ModificationCount: 3 });
      expect(both.Items.map((i) => [i.Quantity, i.Amount, i.Rejected])).toEqual([
        [0, '0.00', true],
        [2, '10.00', false],
      ]);
      expect(both.Modifications.slice(1)).toMatchObject([
        { Seq: 2, Operation: 'REJECT_ITEM', Reason: 'ITEM_RETURNED', AmountBefore: '215.05', AmountAfter: '15.05', PayoutBefore: '41.51', PayoutAfter: '1.51' },
        { Seq: 3, Operation: 'MODIFY_AMOUNT', Reason: 'ITEM_RETURNED', AmountBefore: '15.05', AmountAfter: '10.00', PayoutBefore: '1.51', PayoutAfter: '1.00' },
      ]);

      // A refused change undoes the ones before it: nothing of the request is kept.
      const other = await sale({ items: ITEMS });
      const before = await counts();
      const refusedLate = problem(
        await post(brandClient, other, 'modify-items', { Reason: 'ITEM_RETURNED', Items: [{ Index: 1, Reject: true }, { Index: 6, Amount: '1.00' }] }),
        400,
        'invalid',
      );
      expect(refusedLate.detail).toMatch(/\(change 2 of 2; none of the changes was saved\)$/);
      for (const body of [
        { Reason: 'ITEM_RETURNED', Items: [{ Index: 1, Reject: true, Amount: '1.00' }] },
        { Reason: 'ITEM_RETURNED', Items: [{ Index: 1 }] },
        { Reason: 'ITEM_RETURNED', Items: [{ Index: 1, Reject: true }, { Index: 1, Amount: '1.00' }] },
        { Reason: 'ITEM_RETURNED', Items: [] },
        { Reason: 'ITEM_RETURNED', Items: [{ Index: 2, Amount: '1.234' }] },
        { Reason: 'ITEM_RETURNED', Items: [{ Index: 2, Amount: '-1.00' }] },
        { Reason: 'ITEM_RETURNED', Items: [{ Index: 1, Reject: false }] },
        { Reason: 'NOT_A_REASON', Items: [{ Index: 1, Reject: true }] },
        { Items: [{ Index: 1, Reject: true }] },
      ]) {
        problem(await post(brandClient, other, 'modify-items', body), 400);
      }
      problem(await post(partnerClient, other, 'modify-items', { Reason: 'ITEM_RETURNED', Items: [{ Index: 1, Reject: true }] }), 403);
      expect(await counts()).toEqual(before);
      expect(await detail(other)).toMatchObject({ State: 'PENDING', Amount: '215.05', Payout: '41.51', ModificationCount: 1 });

      // Rejecting every item left reverses the action; a locked action refuses the whole request.
      const all = ok<ActionBody>(
        await post(brandClient, other, 'modify-items', { Reason: 'ITEM_OUT_OF_STOCK', Items: [{ Index: 1, Reject: true }, { Index: 2, Reject: true }] }),
      );
      expect(all).toMatchObject({ State: 'REVERSED', StatusDetail: 'Reversed/ITEM_OUT_OF_STOCK' });
      expect(all.Modifications.map((m) => m.Operation)).toEqual(['CREATE', 'REJECT_ITEM', 'REJECT_ITEM']);
      ok(await post(brandClient, id, 'approve'));
      problem(await post(brandClient, id, 'modify-items', { Reason: 'ITEM_RETURNED', Items: [{ Index: 2, Amount: '5.00' }] }), 409, 'locked');
      await expectLedgerMatchesActions(t.ctx);
    });

    it('restore: REVERSED → PENDING, and it then locks per the contract terms', async () => {
      const id = await sale();
      problem(await post(brandClient, id, 'restore'), 409, 'wrong_state');
      ok(await post(brandClient, id, 'reverse', { Reason: 'CONS_ERROR' }));
      const restored = ok<ActionBody>(await post(brandClient, id, 'restore'));
      expect(restored).toMatchObject({ State: 'PENDING', StatusDetail: 'Pending', ReversalReason: null, Amount: '100.00', Payout: '10.00', ModificationCount: 3 });
      expect(lastMod(restored)).toMatchObject({ Seq: 3, Operation: 'RESTORE', ActorKind: 'BRAND', Reason: null, StateBefore: 'REVERSED', StateAfter: 'PENDING' });
      clock().advanceDays(15);
      const beforeLock = await outboxCursor(t.ctx.db);
      expect((await runLockJob(t.ctx)).locked).toBe(1);
      const locked = await detail(id);
      expect(locked).toMatchObject({ State: 'APPROVED', LockedDate: locked.LockingDate });
      await expectEvents(t.ctx.db, beforeLock, { types: ['action.locked'], subject: `action:${id}`, resource: locked as never });
      await expectLedgerMatchesActions(t.ctx);
    });

    it('reset: back to PENDING with the original amount, payout and items, from PENDING or REVERSED', async () => {
      const id = await sale({ items: ITEMS });
      ok(await post(brandClient, id, 'reject-item', { ItemIndex: 1, Reason: 'ITEM_RETURNED' }));
      ok(await post(brandClient, id, 'modify', { Reason: 'ORDER_UPDATE', Items: [{ Index: 2, Amount: '3.00' }] }));
      const reset = ok<ActionBody>(await post(brandClient, id, 'reset'));
      expect(reset).toMatchObject({ State: 'PENDING', Amount: '215.05', Payout: '41.51', DeltaAmount: '0.00', DeltaPayout: '0.00' });
      expect(reset.Items.map((i) => [i.Quantity, i.Amount, i.Rejected])).toEqual([
        [1, '200.00', false],
        [2, '15.05', false],
      ]);
      expect(lastMod(reset)).toMatchObject({ Operation: 'RESET', Reason: 'RESET', AmountBefore: '3.00', AmountAfter: '215.05', PayoutBefore: '0.30', PayoutAfter: '41.51' });
      expect(reset.Modifications.map((m) => m.Operation)).toEqual(['CREATE', 'REJECT_ITEM', 'MODIFY_AMOUNT', 'RESET']);

      ok(await post(brandClient, id, 'reverse', { Reason: 'CONS_FRAUD' }));
      const fromReversed = ok<ActionBody>(await post(brandClient, id, 'reset'));
      expect(fromReversed).toMatchObject({ State: 'PENDING', ReversalReason: null, Amount: '215.05' });
      expect(lastMod(fromReversed)).toMatchObject({ StateBefore: 'REVERSED', StateAfter: 'PENDING', Reason: 'RESET' });
      await expectLedgerMatchesActions(t.ctx);
    });

    it('lock: the job locks due pending actions at their locking date; a reversed one stays reversed for good', async () => {
      const pending = await sale({ amount: '50.00' });
      const reversed = await sale({ amount: '70.00' });
      ok(await post(brandClient, reversed, 'reverse', { Reason: 'CONS_FRAUD' }));
      clock().advanceDays(14); // 29 January 13:00Z: the locking date (30 January 05:00Z) is still ahead
      expect(await runLockJob(t.ctx)).toMatchObject({ locked: 0, ran: true });
      expect((await detail(pending)).State).toBe('PENDING');

      clock().advanceDays(1);
      // Due, but the job has not run yet: every change but approve stops at the locking date.
      problem(await post(brandClient, pending, 'modify', { Reason: 'ORDER_UPDATE', Amount: '1.00' }), 409, 'locked');
      problem(await post(brandClient, pending, 'reverse', { Reason: 'CONS_FRAUD' }), 409, 'locked');
      problem(await post(brandClient, reversed, 'restore'), 409, 'locked');
      problem(await post(brandClient, reversed, 'reset'), 409, 'locked');

      expect(await runLockJob(t.ctx)).toMatchObject({ locked: 1, ran: true });
      const locked = await detail(pending);
      expect(locked).toMatchObject({ State: 'APPROVED', StatusDetail: 'Approved/Payment Pending', LockedDate: '2026-01-30T05:00:00.000Z', Payout: '5.00' });
      expect(lastMod(locked)).toMatchObject({
        Seq: 2,
        Operation: 'LOCK',
        ActorKind: 'SYSTEM',
        ActorUserId: null,
        ActorName: null,
        Reason: null,
        StateBefore: 'PENDING',
        StateAfter: 'APPROVED',
        AmountBefore: '50.00',
        AmountAfter: '50.00',
      });
      expect(await detail(reversed)).toMatchObject({ State: 'REVERSED', ModificationCount: 2 });
      problem(await post(brandClient, pending, 'approve'), 409, 'locked');
      problem(await post(brandClient, reversed, 'approve'), 409);
      expect(await runLockJob(t.ctx)).toMatchObject({ locked: 0 });
      expect((await detail(pending)).ModificationCount).toBe(2);
      await expectLedgerMatchesActions(t.ctx);
      expect(await ledgerBalance(t.ctx, 'PARTNER_PAYMENT_PENDING', partner.id)).toBe(500n);
    });

    it('approving a due action the job has not reached yet is allowed: it only does early what the job would do', async () => {
      const id = await sale();
      clock().advanceDays(20);
      expect(ok<ActionBody>(await post(brandClient, id, 'approve')).State).toBe('APPROVED');
      expect(await lockDueActions(t.ctx)).toMatchObject({ locked: 0 });
      await expectLedgerMatchesActions(t.ctx);
    });

    it('approving a due action late does not push its payment date past the one its locking date gives', async () => {
      // Tracked 15 January, locking date 30 January: the lock job would lock it then and
      // keep its payment date, 20 February. If the job lags (an outage, jobs disabled) and
      // the brand approves on 2 February, the partner must not be paid a month later.
      const id = await sale();
      const pending = await detail(id);
      expect(pending).toMatchObject({ LockingDate: '2026-01-30T05:00:00.000Z', PaymentDate: '2026-02-20T05:00:00.000Z' });
      clock().set('2026-02-02T15:00:00Z');
      const approved = ok<ActionBody>(await post(brandClient, id, 'approve'));
      expect(approved.State).toBe('APPROVED');
      expect(approved.PaymentDate).toBe('2026-02-20T05:00:00.000Z');
    });

    it('the 1,000th modification is the last a brand can make; the lock still happens', async () => {
      const id = await sale();
      // 998 earlier changes (seq 2..999), written straight to the tables.
      await t.ctx.db.query(
        `insert into action_modifications (action_id, seq, at, actor_kind, operation, reason, state_before, state_after,
                                           amount_before_minor, amount_after_minor, payout_before_minor, payout_after_minor)
         select $1, g, $2, 'BRAND', 'MODIFY_AMOUNT', 'ORDER_UPDATE', 'PENDING', 'PENDING', 10000, 10000, 1000, 1000
           from generate_series(2, 999) g`,
        [id, now()],
      );
      await t.ctx.db.query('update actions set modification_count = 999 where id = $1', [id]);
      const last = ok<ActionBody>(await post(brandClient, id, 'modify', { Reason: 'ORDER_UPDATE', Amount: '90.00' }));
      expect(last).toMatchObject({ ModificationCount: 1000, Amount: '90.00' });
      const before = await counts();
      problem(await post(brandClient, id, 'modify', { Reason: 'ORDER_UPDATE', Amount: '80.00' }), 409, 'modification_limit');
      problem(await post(brandClient, id, 'reverse', { Reason: 'CONS_FRAUD' }), 409, 'modification_limit');
      expect(await counts()).toEqual(before);
      clock().advanceDays(15);
      expect((await runLockJob(t.ctx)).locked).toBe(1);
      expect(await detail(id)).toMatchObject({ State: 'APPROVED', Payout: '9.00' });
      await expectLedgerMatchesActions(t.ctx);
    });

    it('reset after a re-attribution pays the original amount under the new partner’s contract', async () => {
      const id = await sale();
      const fivePercent = await createTemplateTerms(t.ctx, brand.actor, program.id, {
        name: 'Five',
        terms: {
          payouts: [{ eventTypeId: program.saleEventTypeId, payout: { kind: 'PERCENT', percent: '5' } }],
          locking: { form: 'DAYS', days: 14 },
          payment: { months: 0, days: 19 },
        },
      });
      const b = await makeAccount(t.ctx, 'PARTNER');
      clock().advanceMs(-2 * 3_600_000);
      await acceptTerms(t.ctx, b.actor, fivePercent.id);
      clock().advanceMs(2 * 3_600_000);
      ok(await opPost(operatorClient, id, 'reattribute', { MediaPartnerId: b.id, Reason: 'PUB_ACT_DISPUTE' }));
      const modified = ok<ActionBody>(await post(brandClient, id, 'modify', { Reason: 'ORDER_UPDATE', Amount: '40.00' }));
      expect(modified).toMatchObject({ MediaPartnerId: b.id, Amount: '40.00', Payout: '2.00' });
      // Back to the original amount, 100.00, priced by the contract the action is under now (5%).
      const reset = ok<ActionBody>(await post(brandClient, id, 'reset'));
      expect(reset).toMatchObject({ MediaPartnerId: b.id, Amount: '100.00' });
      expect(reset.Payout).toBe('5.00');
    });

    it('re-attribute to a closed partner account is refused, even under a contract in force at the event date', async () => {
      // A closed account has no users, no credentials and must hold no funds: it cannot
      // be handed a new pending payout (conversions for it are rejected PARTNER_CLOSED).
      const id = await sale();
      const closing = await makeAccount(t.ctx, 'PARTNER');
      clock().advanceMs(-2 * 3_600_000);
      await makeContract(t.ctx, closing, program);
      clock().advanceMs(2 * 3_600_000);
      clock().advanceMs(60_000);
      await t.ctx.db.query(`update contracts set end_at = $2, termination_reason = 'ACCOUNT_CLOSED' where partner_account_id = $1`, [closing.id, now()]);
      await t.ctx.db.query(`update accounts set status = 'CLOSED', closed_at = $2 where id = $1`, [closing.id, now()]);
      const before = await actionRow(t.ctx, BigInt(id));
      const response = await opPost(operatorClient, id, 'reattribute', { MediaPartnerId: closing.id, Reason: 'PUB_ACT_DISPUTE' });
      expect(response.statusCode, response.body.slice(0, 300)).toBe(409);
      expect(await actionRow(t.ctx, BigInt(id))).toEqual(before);
    });

    it('re-attribute (operator): to another partner under its contract in force at the event date, only before the lock', async () => {
      const eventAt = now();
      const id = await sale({ eventAt });
      // Partner B works under other terms: 5% on sales.
      const half = await createTemplateTerms(t.ctx, brand.actor, program.id, {
        name: 'Half',
        terms: {
          payouts: [{ eventTypeId: program.saleEventTypeId, payout: { kind: 'PERCENT', percent: '5' } }],
          locking: { form: 'DAYS', days: 20 },
          payment: { months: 0, days: 19 },
        },
      });
      const b = await makeAccount(t.ctx, 'PARTNER');
      clock().advanceMs(-2 * 3_600_000); // B signed before the event
      const bContract = await acceptTerms(t.ctx, b.actor, half.id);
      clock().advanceMs(2 * 3_600_000);
      const late = await makeAccount(t.ctx, 'PARTNER');
      clock().advanceMs(60_000);
      await makeContract(t.ctx, late, program); // signed after the event
      const nobody = await makeAccount(t.ctx, 'PARTNER');

      const before = await counts();
      problem(await opPost(operatorClient, id, 'reattribute', { MediaPartnerId: nobody.id, Reason: 'PUB_ACT_DISPUTE' }), 409, 'no_contract');
      problem(await opPost(operatorClient, id, 'reattribute', { MediaPartnerId: late.id, Reason: 'PUB_ACT_DISPUTE' }), 409, 'no_contract');
      problem(await opPost(operatorClient, id, 'reattribute', { MediaPartnerId: partner.id, Reason: 'PUB_ACT_DISPUTE' }), 400, 'invalid');
      problem(await opPost(operatorClient, id, 'reattribute', { MediaPartnerId: b.id }), 400);
      problem(await opPost(brandClient, id, 'reattribute', { MediaPartnerId: b.id, Reason: 'PUB_ACT_DISPUTE' }), 403);
      problem(await opPost(partnerClient, id, 'reattribute', { MediaPartnerId: b.id, Reason: 'PUB_ACT_DISPUTE' }), 403);
      problem(await operatorClient.post(`/api/v1/operator/actions/999999999/reattribute`, { MediaPartnerId: b.id, Reason: 'PUB_ACT_DISPUTE' }), 404);
      expect(await counts()).toEqual(before);

      const moved = ok<ActionBody>(await opPost(operatorClient, id, 'reattribute', { MediaPartnerId: b.id, Reason: 'PUB_ACT_DISPUTE' }));
      expect(moved).toMatchObject({ State: 'PENDING', MediaPartnerId: b.id, ContractId: bContract.id, Amount: '100.00', Payout: '5.00' });
      // B's terms lock 20 days after the end of the event day.
      expect(moved.LockingDate).toBe('2026-02-05T05:00:00.000Z');
      expect(lastMod(moved)).toMatchObject({
        Operation: 'REATTRIBUTE',
        ActorKind: 'OPERATOR',
        ActorUserId: operatorUserId,
        Reason: 'PUB_ACT_DISPUTE',
        StateBefore: 'PENDING',
        StateAfter: 'PENDING',
        PayoutBefore: '10.00',
        PayoutAfter: '5.00',
        Detail: {
          MediaPartnerId: b.id,
          FromMediaPartnerId: partner.id,
          ToMediaPartnerId: b.id,
          FromContractId: w.contractId,
          ToContractId: bContract.id,
        },
      });
      problem(await partnerClient.get(`/api/v1/actions/${id}`), 404);
      const bClient = await accountClient(t, b);
      const seenByB = await detail(id, bClient);
      expect(seenByB.Payout).toBe('5.00');
      // The partner now credited sees that the action was re-attributed, not from whom.
      expect(lastMod(seenByB)).toMatchObject({ Operation: 'REATTRIBUTE', ActorUserId: null, Detail: null });

      // Only before the lock: past the locking date it is refused.
      clock().advanceDays(25);
      problem(await opPost(operatorClient, id, 'reattribute', { MediaPartnerId: partner.id, Reason: 'PUB_ACT_DISPUTE' }), 409, 'locked');
      expect((await runLockJob(t.ctx)).locked).toBeGreaterThanOrEqual(1);
      expect(await ledgerBalance(t.ctx, 'PARTNER_PAYMENT_PENDING', b.id)).toBe(500n);
      expect(await ledgerBalance(t.ctx, 'PARTNER_PAYMENT_PENDING', partner.id)).toBe(0n);
      await expectLedgerMatchesActions(t.ctx);
    });

    it('reverse CPC (operator): a brand cannot reverse a cost-per-click action, an operator can', async () => {
      const cpc = (await makeClickAction(t.ctx, partner, program)).toString();
      expect(await detail(cpc)).toMatchObject({ EventKind: 'CLICK', State: 'PENDING', Amount: '0.00', Payout: '0.05' });
      const sold = await sale();
      const before = await counts();
      problem(await post(brandClient, cpc, 'reverse', { Reason: 'CONS_FRAUD' }), 403, 'cpc_needs_operator');
      problem(await post(brandClient, cpc, 'modify', { Reason: 'ORDER_UPDATE', Amount: '1.00' }), 400, 'invalid');
      problem(await opPost(brandClient, cpc, 'reverse-cpc', { Reason: 'CONS_FRAUD' }), 403);
      problem(await opPost(operatorClient, cpc, 'reverse-cpc', {}), 400);
      problem(await post(operatorClient, cpc, 'reverse', { Reason: 'CONS_FRAUD' }), 403);
      problem(await opPost(operatorClient, sold, 'reverse-cpc', { Reason: 'CONS_FRAUD' }), 409, 'not_cpc');
      expect(await counts()).toEqual(before);

      const reversed = ok<ActionBody>(await opPost(operatorClient, cpc, 'reverse-cpc', { Reason: 'CONS_FRAUD' }));
      expect(reversed).toMatchObject({ State: 'REVERSED', StatusDetail: 'Reversed/CONS_FRAUD', Payout: '0.05' });
      expect(lastMod(reversed)).toMatchObject({
        Operation: 'REVERSE_CPC',
        ActorKind: 'OPERATOR',
        ActorUserId: operatorUserId,
        Reason: 'CONS_FRAUD',
        StateBefore: 'PENDING',
        StateAfter: 'REVERSED',
      });
      problem(await opPost(operatorClient, cpc, 'reverse-cpc', { Reason: 'CONS_FRAUD' }), 409, 'wrong_state');

      // An approved CPC action pays its per-click amount.
      const other = (await makeClickAction(t.ctx, partner, program)).toString();
      ok(await post(brandClient, other, 'approve'));
      expect(await ledgerBalance(t.ctx, 'PARTNER_PAYMENT_PENDING', partner.id)).toBe(5n);
      await expectLedgerMatchesActions(t.ctx);
    });
  });

  // ---------------------------------------------------------------------------------
  describe('who may do what', () => {
    it('a partner calling brand operations gets 403 and changes nothing; it can read its own action', async () => {
      const id = await sale({ items: ITEMS });
      const reversed = await sale();
      ok(await post(brandClient, reversed, 'reverse', { Reason: 'CONS_FRAUD' }));
      const before = await counts();
      const rowBefore = await actionRow(t.ctx, BigInt(id));
      problem(await post(partnerClient, id, 'approve'), 403);
      problem(await post(partnerClient, id, 'reverse', { Reason: 'CONS_FRAUD' }), 403);
      problem(await post(partnerClient, id, 'modify', { Reason: 'ORDER_UPDATE', Amount: '1.00' }), 403);
      problem(await post(partnerClient, id, 'reject-item', { ItemIndex: 1, Reason: 'ITEM_RETURNED' }), 403);
      problem(await post(partnerClient, id, 'reset'), 403);
      problem(await post(partnerClient, reversed, 'restore'), 403);
      problem(await partnerClient.post('/api/v1/actions/bulk', { Operation: 'APPROVE', ActionIds: [id] }), 403);
      problem(await opPost(partnerClient, id, 'reverse-cpc', { Reason: 'CONS_FRAUD' }), 403);
      // An operator does not do the brand's operations either.
      problem(await post(operatorClient, id, 'approve'), 403, 'forbidden');
      expect(await counts()).toEqual(before);
      expect(await actionRow(t.ctx, BigInt(id))).toEqual(rowBefore);
      expect((await detail(id, partnerClient)).State).toBe('PENDING');
    });

    it("another brand's action is 404 for every operation, and nothing changes", async () => {
      const id = await sale({ items: ITEMS });
      const otherBrand = await makeAccount(t.ctx, 'BRAND');
      const otherClient = await accountClient(t, otherBrand);
      const otherPartner = await makeAccount(t.ctx, 'PARTNER');
      const before = await counts();
      const rowBefore = await actionRow(t.ctx, BigInt(id));
      problem(await otherClient.get(`/api/v1/actions/${id}`), 404);
      problem(await post(otherClient, id, 'approve'), 404, 'not_found');
      problem(await post(otherClient, id, 'reverse', { Reason: 'CONS_FRAUD' }), 404);
      problem(await post(otherClient, id, 'modify', { Reason: 'ORDER_UPDATE', Amount: '1.00' }), 404);
      problem(await post(otherClient, id, 'reject-item', { ItemIndex: 1, Reason: 'ITEM_RETURNED' }), 404);
      problem(await post(otherClient, id, 'restore'), 404);
      problem(await post(otherClient, id, 'reset'), 404);
      const beforeBulk = await outboxCursor(t.ctx.db);
      const bulk = ok(await otherClient.post('/api/v1/actions/bulk', { Operation: 'APPROVE', ActionIds: [id] }));
      expect(bulk).toMatchObject({ Succeeded: 0, Failed: 1, Outcomes: [{ ActionId: id, Ok: false, Refusal: 'not_found' }] });
      await expectEvents(t.ctx.db, beforeBulk, { types: [] });
      const stranger = await accountClient(t, otherPartner);
      problem(await stranger.get(`/api/v1/actions/${id}`), 404);
      expect(ok(await otherClient.get('/api/v1/actions')).Total).toBe(0);
      expect(await counts()).toEqual(before);
      expect(await actionRow(t.ctx, BigInt(id))).toEqual(rowBefore);
      problem(await brandClient.get('/api/v1/actions/999999999'), 404);
      problem(await brandClient.get('/api/v1/actions/abc'), 400);
    });
  });

  // ---------------------------------------------------------------------------------
  describe('bulk', () => {
    it('mixed valid and invalid ids: one outcome per action, in request order', async () => {
      const [a, b, c, locked, reversed] = [await sale(), await sale(), await sale(), await sale(), await sale()];
      ok(await post(brandClient, locked, 'approve'));
      ok(await post(brandClient, reversed, 'reverse', { Reason: 'CONS_FRAUD' }));
      const otherBrand = await makeAccount(t.ctx, 'BRAND');
      const otherProgram = await makeProgram(t.ctx, otherBrand);
      const otherPartner = await makeAccount(t.ctx, 'PARTNER');
      await makeContract(t.ctx, otherPartner, otherProgram);
      clock().advanceMs(60_000);
      const foreign = (await makeSaleAction(t.ctx, otherBrand, otherPartner, otherProgram)).toString();

      const ids = [c, '999999999', foreign, locked, a, reversed, b, a];
      const cursor = await outboxCursor(t.ctx.db);
      const result = ok(await brandClient.post('/api/v1/actions/bulk', { Operation: 'APPROVE', ActionIds: ids }));
      // One event per action it approved (in id order, the order they were changed), none for the refused ones.
      const events = await expectEvents(t.ctx.db, cursor, { types: ['action.approved', 'action.approved', 'action.approved'] });
      expect(events.map((e) => e.subject).sort()).toEqual([a, b, c].map((id) => `action:${id}`).sort());
      for (const event of events) expect(event.payload).toMatchObject({ State: 'APPROVED', StatusDetail: 'Approved/Payment Pending' });
      expect(result.Outcomes).toEqual([
        { ActionId: c, Ok: true, State: 'APPROVED' },
        expect.objectContaining({ ActionId: '999999999', Ok: false, Refusal: 'not_found' }),
        expect.objectContaining({ ActionId: foreign, Ok: false, Refusal: 'not_found' }),
        expect.objectContaining({ ActionId: locked, Ok: false, Refusal: 'locked' }),
        { ActionId: a, Ok: true, State: 'APPROVED' },
        expect.objectContaining({ ActionId: reversed, Ok: false, Refusal: 'wrong_state' }),
        { ActionId: b, Ok: true, State: 'APPROVED' },
      ]);
      expect(result).toMatchObject({ Succeeded: 3, Failed: 4 });
      // The id given twice was approved once.
      const approvedA = await detail(a);
      expect(approvedA.Modifications.map((m) => m.Operation)).toEqual(['CREATE', 'APPROVE']);
      expect((await actionRow(t.ctx, BigInt(foreign))).state).toBe('PENDING');

      const d = await sale();
      const e = await sale();
      const reverse = ok(await brandClient.post('/api/v1/actions/bulk', { Operation: 'REVERSE', Reason: 'ORDER_ERROR', ActionIds: [e, a, d] }));
      expect(reverse.Outcomes.map((o: { ActionId: string; Ok: boolean; Refusal?: string }) => [o.ActionId, o.Ok, o.Refusal])).toEqual([
        [e, true, undefined],
        [a, false, 'locked'],
        [d, true, undefined],
      ]);
      expect((await detail(e)).StatusDetail).toBe('Reversed/ORDER_ERROR');
      const restore = ok(await brandClient.post('/api/v1/actions/bulk', { Operation: 'RESTORE', ActionIds: [d, reversed] }));
      expect(restore).toMatchObject({ Succeeded: 2, Failed: 0 });
      const reset = ok(await brandClient.post('/api/v1/actions/bulk', { Operation: 'RESET', ActionIds: [e, a] }));
      expect(reset.Outcomes.map((o: { Ok: boolean }) => o.Ok)).toEqual([true, false]);
      await expectLedgerMatchesActions(t.ctx);
    });

    it('refuses a malformed bulk request whole', async () => {
      const id = await sale();
      const before = await counts();
      for (const bad of [
        { Operation: 'REVERSE', ActionIds: [id] },
        { Operation: 'APPROVE', Reason: 'CONS_FRAUD', ActionIds: [id] },
        { Operation: 'APPROVE', ActionIds: [] },
        { Operation: 'APPROVE', ActionIds: ['abc'] },
        { Operation: 'APPROVE', ActionIds: [Number(id)] },
        { Operation: 'MODIFY_AMOUNT', ActionIds: [id] },
        { Operation: 'LOCK', ActionIds: [id] },
        { Operation: 'APPROVE', ActionIds: Array.from({ length: 10_001 }, (_, i) => String(i + 1)) },
      ]) {
        const response = await brandClient.post('/api/v1/actions/bulk', bad);
        expect(response.statusCode, JSON.stringify(bad).slice(0, 100)).toBe(400);
      }
      expect(await counts()).toEqual(before);
    });
  });

  // ---------------------------------------------------------------------------------
  describe('listing and balances', () => {
    it('filters: state, statusDetail, partnerId, actionTrackerId, orderId, actionId, from/to, sort, paging', async () => {
      clock().advanceDays(5); // 20 January 13:00Z; the contracts started on the 15th
      const p2 = await makeAccount(t.ctx, 'PARTNER');
      await makeContract(t.ctx, p2, program);
      const day = (d: number) => new Date(Date.UTC(2026, 0, d, 13));
      const s1 = await sale({ amount: '100.00', eventAt: day(17) });
      const s2 = await sale({ amount: '50.00', eventAt: day(18) });
      const click = await makeClick(t.ctx, partner, program, day(19));
      const [lead] = await recordConversions(t.ctx, brand.actor, [
        { ActionTrackerId: program.leadEventTypeId, OrderId: nextOrderId(), EventDate: day(19).toISOString(), ClickId: click },
      ]);
      const l1 = (lead as { actionId: string }).actionId;
      clock().advanceMs(60_000);
      const s3 = await sale({ amount: '75.00', eventAt: now(), who: p2 });
      ok(await post(brandClient, s1, 'approve'));
      ok(await post(brandClient, s2, 'reverse', { Reason: 'CONS_FRAUD' }));
      const s2Order = (await detail(s2)).OrderId!;

      const ids = async (query: string, client: Client = brandClient) => {
        const page = ok(await client.get(`/api/v1/actions${query}`));
        return page.Items.map((a: { Id: string }) => a.Id);
      };
      expect(await ids('')).toEqual([s3, l1, s2, s1]); // newest event first
      expect(await ids('?state=PENDING')).toEqual([s3, l1]);
      expect(await ids('?state=APPROVED')).toEqual([s1]);
      expect(await ids('?state=REVERSED')).toEqual([s2]);
      expect(await ids('?statusDetail=Pending')).toEqual([s3, l1]);
      expect(await ids('?statusDetail=Approved%2FPayment%20Pending')).toEqual([s1]);
      expect(await ids('?statusDetail=Approved%2FPaid')).toEqual([]);
      expect(await ids('?statusDetail=Approved%2FOverdue')).toEqual([]);
      expect(await ids('?statusDetail=Reversed')).toEqual([s2]);
      expect(await ids('?statusDetail=Reversed%2FCONS_FRAUD')).toEqual([s2]);
      expect(await ids('?statusDetail=Reversed%2FITEM_RETURNED')).toEqual([]);
      expect(await ids(`?partnerId=${p2.id}`)).toEqual([s3]);
      expect(await ids(`?partnerId=${partner.id}&state=PENDING`)).toEqual([l1]);
      expect(await ids(`?actionTrackerId=${program.leadEventTypeId}`)).toEqual([l1]);
      expect(await ids(`?orderId=${encodeURIComponent(s2Order)}`)).toEqual([s2]);
      expect(await ids(`?actionId=${s1}`)).toEqual([s1]);
      expect(await ids(`?programId=${program.id}&state=APPROVED`)).toEqual([s1]);
      // from is inclusive, to exclusive, offsets understood.
      expect(await ids(`?from=${encodeURIComponent('2026-01-18T08:00:00-05:00')}&to=${encodeURIComponent(day(19).toISOString())}`)).toEqual([s2]);
      expect(await ids(`?from=${day(18).toISOString()}&to=${day(20).toISOString()}`)).toEqual([l1, s2]);
      expect(await ids('?sort=Amount&order=asc')).toEqual([l1, s2, s3, s1]);
      expect(await ids('?sort=Payout&order=desc')).toEqual([s1, s3, s2, l1]);
      expect(await ids('?sort=Id&order=asc')).toEqual([s1, s2, l1, s3]);
      const page2 = ok(await brandClient.get('/api/v1/actions?sort=Amount&order=asc&pageSize=3&page=2'));
      expect(page2).toMatchObject({ Page: 2, PageSize: 3, Total: 4, TotalCapped: false });
      expect(page2.Items.map((a: { Id: string }) => a.Id)).toEqual([s1]);
      // Each party sees its own.
      expect(await ids('', partnerClient)).toEqual([l1, s2, s1]);
      expect(await ids('', await accountClient(t, p2))).toEqual([s3]);
      expect(await ids('', operatorClient)).toEqual([s3, l1, s2, s1]);
      for (const bad of ['?statusDetail=Bogus', '?sort=Bogus', '?state=LOCKED', '?from=2026-01-18T00:00:00', '?pageSize=501', '?page=0', '?foo=1', '?actionId=x']) {
        expect((await brandClient.get(`/api/v1/actions${bad}`)).statusCode, bad).toBe(400);
      }
      // Unpaid past its payment date (20 February), a locked action is overdue.
      clock().set('2026-03-01T00:00:00Z');
      expect(await ids('?statusDetail=Approved%2FOverdue')).toEqual([s1]);
      expect((await detail(s1)).StatusDetail).toBe('Approved/Overdue');
    });

    it('the total is capped at 10,000 (totalCapped)', async () => {
      const at = now();
      await t.ctx.db.query(
        `with c as (
           insert into conversions (brand_account_id, program_id, event_type_id, order_id, request_hash, event_at, partner_account_id,
                                    currency, amount_minor, status, created_at)
           select $1, $2, $3, 'BULK-' || g, 'h', $4, $5, 'USD', 1000, 'ACCEPTED', $4 from generate_series(1, 10001) g
           returning id, order_id
         )
         insert into actions (conversion_id, program_id, brand_account_id, event_type_id, event_kind, partner_account_id, contract_id, state,
                              order_id, currency, amount_minor, payout_minor, original_amount_minor, original_payout_minor, event_at,
                              locking_at, modification_count, created_at, updated_at)
         select c.id, $2, $1, $3, 'SALE', $5, $6, 'PENDING', c.order_id, 'USD', 1000, 100, 1000, 100, $4, $7, 0, $4, $4 from c`,
        [brand.id, program.id, program.saleEventTypeId, at, partner.id, w.contractId, new Date(at.getTime() + 14 * 86_400_000)],
      );
      const capped = ok(await brandClient.get('/api/v1/actions?pageSize=5'));
      expect(capped).toMatchObject({ Total: 10_000, TotalCapped: true });
      expect(capped.Items).toHaveLength(5);
      const exact = ok(await brandClient.get('/api/v1/actions?pageSize=5&orderId=BULK-77'));
      expect(exact).toMatchObject({ Total: 1, TotalCapped: false });
    });

    it('balances after locking: pending, payment pending and payable', async () => {
      const a = await sale({ amount: '100.00' });
      await sale({ amount: '30.00' });
      const r = await sale({ amount: '40.00' });
      ok(await post(brandClient, r, 'reverse', { Reason: 'CONS_FRAUD' }));
      ok(await post(brandClient, a, 'approve'));
      const partnerBalances = ok(await partnerClient.get('/api/v1/balances'));
      expect(partnerBalances.Balances).toEqual([{ Currency: 'USD', Pending: '3.00', PaymentPending: '10.00', Overdue: '0.00', Available: '0.00', Payable: '0.00' }]);
      clock().advanceDays(15);
      expect((await runLockJob(t.ctx)).locked).toBe(1);
      expect(ok(await partnerClient.get('/api/v1/balances')).Balances).toEqual([
        { Currency: 'USD', Pending: '0.00', PaymentPending: '13.00', Overdue: '0.00', Available: '0.00', Payable: '0.00' },
      ]);
      expect(ok(await brandClient.get('/api/v1/balances')).Balances).toEqual([
        { Currency: 'USD', Pending: '0.00', PaymentPending: '0.00', Overdue: '0.00', Available: '0.00', Payable: '13.00' },
      ]);
      problem(await operatorClient.get('/api/v1/balances'), 403);
      await expectLedgerMatchesActions(t.ctx);
    });
  });
});

// Keep the DbTestContext type import used for readers jumping here from db.ts.
export type { DbTestContext };

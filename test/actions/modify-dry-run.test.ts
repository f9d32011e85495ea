/**
 * Issue 17 item 6: Modify Item Details and Modify previewed before saving (`?dryRun=true`),
 * computed by the server with the contract's terms through the same request, writing
 * nothing; and items numbered from 1 in the API (Index 1 is the first item, as Sku1 is in
 * a file) in requests, answers, modification details and events alike.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { clientFor, makeActionWorld, makeSales, type ActionWorld } from '../support/action-helpers.js';
import { dumpDb, expectDbUnchanged, expectOk, expectProblem } from '../support/api-helpers.js';
import type { Client, TestApp } from '../support/app.js';
import { startTestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';

const ITEMS = [
  { Sku: 'T1', Category: 'Tents', Quantity: 1, Amount: '200.00' },
  { Sku: 'S1', Category: 'Socks', Quantity: 2, Amount: '15.05' },
];

describeDb('Modify Item Details: dry run and items numbered from 1 (issue 17 item 6)', (db) => {
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

  const withItems = async () => String((await makeSales(t.ctx, w.brand, w.partner, w.program, 1, { items: ITEMS }))[0]);

  it('a dry run answers the new amount and payout by the contract terms, writes nothing, and the real request then gives the same', async () => {
    const id = await withItems();
    const body = { Reason: 'ITEM_RETURNED', Items: [{ Index: 2, Amount: '10.00' }, { Index: 1, Reject: true }] };
    const before = await dumpDb(t.ctx.db);
    const preview = expectOk(await brand.post(`/api/v1/actions/${id}/modify-items?dryRun=true`, body));
    // Tents (item 1, 20%) rejected; socks (item 2, 10%) at 10.00: payout 1.00.
    expect(preview).toMatchObject({
      DryRun: true,
      ActionId: id,
      Currency: 'USD',
      StateBefore: 'PENDING',
      State: 'PENDING',
      AmountBefore: '215.05',
      Amount: '10.00',
      PayoutBefore: '41.51',
      Payout: '1.00',
      DeltaAmount: '-205.05',
      DeltaPayout: '-40.51',
      Steps: [
        { Operation: 'REJECT_ITEM', State: 'PENDING', Amount: '15.05', Payout: '1.51' },
        { Operation: 'MODIFY_AMOUNT', State: 'PENDING', Amount: '10.00', Payout: '1.00' },
      ],
    });
    expect(preview.Items.map((i: { Index: number; Amount: string; Rejected: boolean }) => [i.Index, i.Amount, i.Rejected])).toEqual([
      [1, '0.00', true],
      [2, '10.00', false],
    ]);
    // Nothing written: no modification, no event, no change of the action (every table compared).
    await expectDbUnchanged(t.ctx.db, before, 'the dry run');
    const real = expectOk(await brand.post(`/api/v1/actions/${id}/modify-items`, body));
    expect(real).toMatchObject({ Amount: preview.Amount, Payout: preview.Payout, State: preview.State, ModificationCount: 3 });
    expect(real.Items).toEqual(preview.Items);
    expect(real.Modifications.slice(1).map((m: { Operation: string; Detail: unknown }) => [m.Operation, m.Detail])).toEqual([
      ['REJECT_ITEM', { ItemIndex: 1 }],
      ['MODIFY_AMOUNT', {}],
    ]);
    // The event carries the items numbered as the API numbers them.
    const { rows: events } = await t.ctx.db.query<{ payload: { Items: Array<{ Index: number }> } }>(
      `select payload from outbox_events where subject = $1 and type = 'action.modified' order by id desc limit 1`,
      [`action:${id}`],
    );
    expect(events[0]?.payload.Items.map((i) => i.Index)).toEqual([1, 2]);
  });

  it('a dry run of Modify (the sale amount) and of a reversal by 0; the dry run is refused in the words of the real request', async () => {
    const [plain] = await makeSales(t.ctx, w.brand, w.partner, w.program, 1, { amount: () => '60.00' });
    const id = String(plain);
    const before = await dumpDb(t.ctx.db);
    expect(expectOk(await brand.post(`/api/v1/actions/${id}/modify?dryRun=true`, { Reason: 'ORDER_UPDATE', Amount: '123.45' }))).toMatchObject({
      DryRun: true,
      Amount: '123.45',
      Payout: '12.35',
      State: 'PENDING',
    });
    expect(expectOk(await brand.post(`/api/v1/actions/${id}/modify?dryRun=true`, { Reason: 'ITEM_RETURNED', Amount: '0' }))).toMatchObject({
      State: 'REVERSED',
      ReversalReason: 'ITEM_RETURNED',
    });
    // An unchanged amount is previewed as unchanged (the UI says so instead of refusing).
    expect(expectOk(await brand.post(`/api/v1/actions/${id}/modify?dryRun=true`, { Reason: 'ORDER_UPDATE', Amount: '60.00' }))).toMatchObject({
      DeltaAmount: '0.00',
      DeltaPayout: '0.00',
    });
    // dryRun=false is the real request.
    expectProblem(await brand.post(`/api/v1/actions/${id}/modify-items?dryRun=true`, { Reason: 'ITEM_RETURNED', Items: [{ Index: 1, Reject: true }] }), 400, 'has no items');
    expectProblem(await partner.post(`/api/v1/actions/${id}/modify?dryRun=true`, { Reason: 'ORDER_UPDATE', Amount: '1.00' }), 403);
    await expectDbUnchanged(t.ctx.db, before, 'the refused and previewed requests');

    const items = await withItems();
    const late = expectProblem(
      await brand.post(`/api/v1/actions/${items}/modify-items?dryRun=true`, { Reason: 'ITEM_RETURNED', Items: [{ Index: 1, Reject: true }, { Index: 3, Amount: '1.00' }] }),
      400,
      'has no item 3',
    );
    expect(late.detail).toMatch(/\(change 2 of 2; none of the changes would be saved\)$/);
    // A locked action's dry run is refused as its change would be.
    expectOk(await brand.post(`/api/v1/actions/${items}/approve`, {}));
    expectProblem(await brand.post(`/api/v1/actions/${items}/modify-items?dryRun=true`, { Reason: 'ITEM_RETURNED', Items: [{ Index: 2, Amount: '1.00' }] }), 409, 'locked');
    expect(expectOk(await brand.post(`/api/v1/actions/${id}/modify?dryRun=false`, { Reason: 'ORDER_UPDATE', Amount: '61.00' }))).toMatchObject({
      Amount: '61.00',
      ModificationCount: 2,
    });
  });

  it('items are numbered from 1: Index 0 is refused, the detail and reject-item count from 1', async () => {
    const id = await withItems();
    const detail = expectOk(await brand.get(`/api/v1/actions/${id}`));
    expect(detail.Items.map((i: { Index: number; Sku: string }) => [i.Index, i.Sku])).toEqual([
      [1, 'T1'],
      [2, 'S1'],
    ]);
    const before = await dumpDb(t.ctx.db);
    expectProblem(await brand.post(`/api/v1/actions/${id}/modify-items`, { Reason: 'ITEM_RETURNED', Items: [{ Index: 0, Reject: true }] }), 400, 'body.Items.0.Index');
    expectProblem(await brand.post(`/api/v1/actions/${id}/reject-item`, { ItemIndex: 0, Reason: 'ITEM_RETURNED' }), 400, 'body.ItemIndex');
    await expectDbUnchanged(t.ctx.db, before);
    const rejected = expectOk(await brand.post(`/api/v1/actions/${id}/reject-item`, { ItemIndex: 2, Reason: 'ITEM_RETURNED' }));
    expect(rejected.Items.map((i: { Rejected: boolean }) => i.Rejected)).toEqual([false, true]);
    expect(rejected.Modifications.at(-1)).toMatchObject({ Operation: 'REJECT_ITEM', Detail: { ItemIndex: 2 } });
  });
});

/**
 * The returns engine's chunk (src/flows/apply-returns-batch.ts applyRowsInTx): rows as the
 * file reader hands them over, applied through the actions module's set-based changes, each
 * with its outcome, on both engines. Every outcome is reached for real.
 */
import { expect, it } from 'vitest';
import { applyRowsInTx } from '../../src/flows/apply-returns-batch.js';
import type { EngineRow } from '../../src/flows/returns-changes.js';
import { receiveReturnsBatch } from '../../src/modules/returns/receive-batch.js';
import type { ReturnsCell } from '../../src/modules/returns/types.js';
import { makeActionWorld, makeClickAction, makeSales, runLockJob } from '../support/action-helpers.js';
import { actionRow, makeSaleAction } from '../support/actions.js';
import { makeAccount } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeContract, makeProgram } from '../support/programs.js';

const cells = (pairs: Record<string, string>): ReturnsCell[] => Object.entries(pairs);

describeDb('returns engine: one chunk of rows', (context) => {
  async function setup() {
    const { db, clock } = context();
    const ctx = { db, clock };
    const world = await makeActionWorld(ctx, clock);
    const received = await receiveReturnsBatch(
      db,
      { brandAccountId: world.brand.id, programId: world.program.id, eventTypeId: world.program.saleEventTypeId, userId: world.brand.adminUserId, now: clock.now() },
      { fileName: 'mods.csv', contentType: 'text/csv', channel: 'API', content: Buffer.from('ActionId,Amount,Reason\n') },
      async () => 0n,
    );
    if (received.ignored) throw new Error('ignored');
    const batchId = received.batch.id;
    const scope = {
      actor: world.brand.actor,
      brandAccountId: world.brand.id,
      eventTypeId: world.program.saleEventTypeId,
      eventTypeName: 'Sale',
      now: clock.now(),
    };
    const apply = (rows: EngineRow[]) => db.transaction((tx) => applyRowsInTx(tx, batchId, { ...scope, now: clock.now() }, rows));
    const applyAs = (eventTypeId: number, rows: EngineRow[]) =>
      db.transaction((tx) => applyRowsInTx(tx, batchId, { ...scope, eventTypeId, eventTypeName: 'Click', now: clock.now() }, rows));
    return { ctx, world, batchId, apply, applyAs };
  }

  it('applies order-level modifications, reversals by amount 0, resets and approvals, with their records and events', async () => {
    const { ctx, world, apply } = await setup();
    const [a, b, c, d] = await makeSales(ctx, world.brand, world.partner, world.program, 4, { amount: () => '100.00' });
    const outcomes = await apply([
      { rowNumber: 1, cells: cells({ ActionId: `${a}`, Amount: '80.00', Reason: 'ITEM_RETURNED' }), request: { kind: 'ORDER', target: { by: 'ActionId', actionId: `${a}` }, reason: 'ITEM_RETURNED', amount: '80.00' } },
      { rowNumber: 2, cells: cells({ ActionId: `${b}`, Amount: '0' }), request: { kind: 'ORDER', target: { by: 'ActionId', actionId: `${b}` }, reason: 'CONS_FRAUD', amount: '0' } },
      // The same action again in the same chunk: applied after row 1, from what row 1 left.
      { rowNumber: 3, cells: [], request: { kind: 'ORDER', target: { by: 'ActionId', actionId: `${a}` }, reason: 'ORDER_UPDATE', amount: '50.00' } },
      { rowNumber: 4, cells: [], request: { kind: 'APPROVE', target: { by: 'ActionId', actionId: `${c}` } } },
      { rowNumber: 5, cells: [], request: { kind: 'RESET', target: { by: 'ActionId', actionId: `${d}` } } },
      { rowNumber: 6, cells: [], request: { kind: 'RESET', target: { by: 'ActionId', actionId: `${b}` } } },
    ]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['APPLIED', 'APPLIED', 'APPLIED', 'APPLIED', 'UNCHANGED', 'APPLIED']);
    expect(outcomes[0]!.message).toBe('amount 100.00 → 80.00, payout 10.00 → 8.00 USD.');
    expect(await actionRow(ctx, a!)).toMatchObject({ state: 'PENDING', amount_minor: 5000n, payout_minor: 500n, modification_count: 3 });
    // Reversed by row 2, reset by row 6: pending again at its original amount.
    expect(await actionRow(ctx, b!)).toMatchObject({ state: 'PENDING', amount_minor: 10000n, reversal_reason: null, modification_count: 3 });
    expect(await actionRow(ctx, c!)).toMatchObject({ state: 'APPROVED', modification_count: 2 });
    const { rows: history } = await ctx.db.query<{ action_id: string; seq: number; operation: string; reason: string | null; actor_kind: string }>(
      'select action_id::text, seq, operation, reason, actor_kind from action_modifications where action_id = any($1::bigint[]) and seq > 1 order by action_id, seq',
      [[a, b, c].map(String)],
    );
    expect(history.map((h) => `${h.action_id === String(a) ? 'a' : h.action_id === String(b) ? 'b' : 'c'}${h.seq} ${h.operation} ${h.reason ?? '-'} ${h.actor_kind}`)).toEqual([
      'a2 MODIFY_AMOUNT ITEM_RETURNED BRAND',
      'a3 MODIFY_AMOUNT ORDER_UPDATE BRAND',
      'b2 MODIFY_AMOUNT CONS_FRAUD BRAND',
      'b3 RESET RESET BRAND',
      'c2 APPROVE - BRAND',
    ]);
    // One event per change, each with the action as that change left it.
    const { rows: events } = await ctx.db.query<{ type: string; amount: string; state: string }>(
      `select type, payload ->> 'Amount' as amount, payload ->> 'State' as state from outbox_events where subject = $1 and type <> 'action.created' order by id`,
      [`action:${a}`],
    );
    expect(events).toEqual([
      { type: 'action.modified', amount: '80.00', state: 'PENDING' },
      { type: 'action.modified', amount: '50.00', state: 'PENDING' },
    ]);
    // The approval posted the payout to the ledger.
    const { rows: transfers } = await ctx.db.query<{ n: number }>(`select count(*)::int as n from ledger_transfers where action_id = $1 and kind = 'ACTION_LOCKED'`, [String(c)]);
    expect(transfers[0]!.n).toBe(1);
  });

  it('reports LOCKED with the locking date, NOT_FOUND for another brand, CPC_NEEDS_SUPPORT, INVALID with the column, LIMIT_REACHED, AMBIGUOUS', async () => {
    const { ctx, world, apply, applyAs } = await setup();
    const [locked] = await makeSales(ctx, world.brand, world.partner, world.program, 1);
    context().clock.advanceMs(20 * 86_400_000);
    await runLockJob(ctx);
    const lockedRow = await actionRow(ctx, locked!);
    const other = await makeAccount(ctx, 'BRAND');
    const otherProgram = await makeProgram(ctx, other);
    await makeContract(ctx, world.partner, otherProgram);
    const foreign = await makeSaleAction(ctx, other, world.partner, otherProgram);
    const cpc = await makeClickAction(ctx, world.partner, world.program);
    const twoTents = await makeSaleAction(ctx, world.brand, world.partner, world.program, {
      items: [
        { Sku: 'TENT', Category: 'Tents', Quantity: 1, Amount: '100.00' },
        { Sku: 'TENT', Category: 'Tents', Quantity: 1, Amount: '120.00' },
      ],
    });
    const limited = await makeSaleAction(ctx, world.brand, world.partner, world.program);
    await ctx.db.query('update actions set modification_count = 1000 where id = $1', [String(limited)]);
    const fresh = await makeSaleAction(ctx, world.brand, world.partner, world.program);
    const outcomes = await apply([
      { rowNumber: 1, cells: [], request: { kind: 'ORDER', target: { by: 'ActionId', actionId: `${locked}` }, reason: 'ITEM_RETURNED', amount: '1.00' } },
      { rowNumber: 2, cells: [], request: { kind: 'ORDER', target: { by: 'ActionId', actionId: `${foreign}` }, reason: 'ITEM_RETURNED', amount: '1.00' } },
      { rowNumber: 3, cells: [], request: { kind: 'ORDER', target: { by: 'OrderId', orderId: 'NO-SUCH-ORDER', actionTrackerId: `${world.program.saleEventTypeId}` }, reason: 'ITEM_RETURNED', amount: '1.00' } },
      // A cost-per-click action of another event type than the batch's.
      { rowNumber: 4, cells: [], request: { kind: 'REVERSE', target: { by: 'ActionId', actionId: `${cpc}` }, reason: 'CONS_FRAUD' } },
      { rowNumber: 5, cells: [], request: { kind: 'ORDER', target: { by: 'ActionId', actionId: `${fresh}` }, reason: 'ITEM_RETURNED', amount: '12.345' } },
      { rowNumber: 6, cells: [], request: { kind: 'ORDER', target: { by: 'ActionId', actionId: `${fresh}` }, reason: 'ITEM_RETURNED', amount: '12.00', currencyCode: 'EUR' } },
      { rowNumber: 7, cells: [], request: { kind: 'ORDER', target: { by: 'ActionId', actionId: `${limited}` }, reason: 'ITEM_RETURNED', amount: '1.00' } },
      { rowNumber: 8, cells: [], request: { kind: 'ITEMS', target: { by: 'ActionId', actionId: `${twoTents}` }, reason: 'ITEM_RETURNED', items: [{ index: 3, sku: 'TENT', quantity: 0 }] } },
      { rowNumber: 9, cells: [], invalid: { column: 'Reason', message: 'required' } },
      { rowNumber: 10, cells: [], request: { kind: 'ORDER', target: { by: 'ActionId', actionId: '1000.4636.158133' }, reason: 'ITEM_RETURNED', amount: '1.00' } },
      { rowNumber: 11, cells: [], request: { kind: 'ORDER', target: { by: 'OrderId', orderId: 'X', actionTrackerId: '999999' }, reason: 'ITEM_RETURNED', amount: '1.00' } },
      { rowNumber: 12, cells: [], request: { kind: 'ORDER', target: { by: 'ActionId', actionId: `${fresh}` }, reason: 'ITEM_RETURNED', amount: '100.00' } },
    ]);
    expect(outcomes.map((o) => `${o.rowNumber} ${o.outcome}`)).toEqual([
      '1 LOCKED',
      '2 NOT_FOUND',
      '3 NOT_FOUND',
      '4 NOT_FOUND',
      '5 INVALID',
      '6 INVALID',
      '7 LIMIT_REACHED',
      '8 AMBIGUOUS',
      '9 INVALID',
      '10 INVALID',
      '11 INVALID',
      '12 UNCHANGED',
    ]);
    expect(outcomes[3]!.message).toMatch(/is not an action of event type \d+ \(Sale\), which this batch is for/);
    // In a batch for the click event type: a reversal by amount 0 or by DELETE needs support.
    const cpcOutcomes = await applyAs(world.program.clickEventTypeId, [
      { rowNumber: 13, cells: [], request: { kind: 'REVERSE', target: { by: 'ActionId', actionId: `${cpc}` }, reason: 'CONS_FRAUD' } },
      { rowNumber: 14, cells: [], request: { kind: 'ORDER', target: { by: 'ActionId', actionId: `${cpc}` }, reason: 'CONS_FRAUD', amount: '0' } },
    ]);
    expect(cpcOutcomes.map((o) => o.outcome)).toEqual(['CPC_NEEDS_SUPPORT', 'CPC_NEEDS_SUPPORT']);
    expect(outcomes[0]!.message).toContain(`locked on ${lockedRow.locked_at!.toISOString()}`);
    expect(outcomes[1]).toMatchObject({ actionId: null, message: `Action ${foreign} does not exist or is not visible to this account.` });
    expect(outcomes[4]!.message).toMatch(/^Amount: /);
    expect(outcomes[5]!.message).toMatch(/^currencyCode: action \d+ is in USD, not EUR; amounts are not converted/);
    expect(outcomes[7]!.message).toMatch(/^Sku3: .* 2 items with the SKU "TENT"/);
    expect(outcomes[8]!.message).toBe('Reason: required');
    expect(outcomes[9]!.message).toMatch(/^ActionId: /);
    expect(outcomes[10]!.message).toMatch(/^ActionTrackerId: /);
    // Nothing was changed by any of them: another brand's action least of all.
    expect(await actionRow(ctx, foreign)).toMatchObject({ state: 'PENDING', modification_count: 1 });
    expect(await actionRow(ctx, cpc)).toMatchObject({ state: 'PENDING', modification_count: 1 });
    expect(await actionRow(ctx, fresh)).toMatchObject({ state: 'PENDING', amount_minor: 10000n, modification_count: 1 });
    const { rows: stored } = await ctx.db.query<{ n: number }>('select count(*)::int as n from returns_batch_rows');
    expect(stored[0]!.n).toBe(14);
  });

  it('applies item-level rows by SKU: a quantity 0 rejects the item, a new amount and quantity re-price it, the last item left reverses', async () => {
    const { ctx, world, apply } = await setup();
    const id = await makeSaleAction(ctx, world.brand, world.partner, world.program, {
      items: [
        { Sku: 'TENT-2P', Category: 'Tents', Quantity: 1, Amount: '200.00' },
        { Sku: 'MUG', Category: 'Kitchen', Quantity: 2, Amount: '20.00' },
      ],
    });
    const [first] = await apply([
      { rowNumber: 1, cells: [], request: { kind: 'ITEMS', target: { by: 'ActionId', actionId: `${id}` }, reason: 'ITEM_RETURNED', items: [{ index: 1, sku: 'MUG', quantity: 1, amount: '10.00' }] } },
    ]);
    expect(first!.outcome).toBe('APPLIED');
    // The tent pays 20% (its group), the mug 10%: 40.00 + 1.00.
    expect(await actionRow(ctx, id)).toMatchObject({ state: 'PENDING', amount_minor: 21000n, payout_minor: 4100n });
    const { rows } = await ctx.db.query<{ items: Array<{ sku: string; quantity: number; amountMinor: string }> }>('select items from actions where id = $1', [String(id)]);
    expect(rows[0]!.items.map((i) => `${i.sku} ${i.quantity} ${i.amountMinor}`)).toEqual(['TENT-2P 1 20000', 'MUG 1 1000']);
    const [second] = await apply([
      {
        rowNumber: 2,
        cells: [],
        request: { kind: 'ITEMS', target: { by: 'ActionId', actionId: `${id}` }, reason: 'ITEM_RETURNED', items: [{ index: 1, sku: 'TENT-2P', quantity: 0 }, { index: 2, sku: 'MUG', quantity: 0 }] },
      },
    ]);
    expect(second!.outcome).toBe('APPLIED');
    expect(await actionRow(ctx, id)).toMatchObject({ state: 'REVERSED', reversal_reason: 'ITEM_RETURNED' });
  });
});

import { beforeEach, expect, it } from 'vitest';
import { applyActionOperation } from '../../src/modules/actions/apply-action-operation.js';
import { lockDueActions } from '../../src/modules/actions/lock-due-actions.js';
import { recordConversions } from '../../src/modules/conversions/record-conversions.js';
import { checkLedger } from '../../src/modules/ledger/check-ledger.js';
import { getLedgerBalances } from '../../src/modules/ledger/balances.js';
import type { ServiceContext } from '../../src/core/context.js';
import { describeDb } from '../support/db.js';
import { makeAccount, type TestAccount } from '../support/app.js';
import { makeContract, makeProgram, type TestProgram } from '../support/programs.js';
import { actionRow, makeClick, makeSaleAction, nextOrderId } from '../support/actions.js';

describeDb('action lifecycle (services)', (db) => {
  let ctx: ServiceContext;
  let brand: TestAccount;
  let partner: TestAccount;
  let program: TestProgram;

  beforeEach(async () => {
    ctx = { db: db().db, clock: db().clock };
    brand = await makeAccount(ctx, 'BRAND');
    partner = await makeAccount(ctx, 'PARTNER');
    program = await makeProgram(ctx, brand);
    await makeContract(ctx, partner, program);
    db().clock.advanceMs(60 * 60_000);
  });

  it('a sale becomes a pending action priced by the contract, with items at group rates', async () => {
    const id = await makeSaleAction(ctx, brand, partner, program, {
      items: [
        { Sku: 'T1', Category: 'Tents', Quantity: 1, Amount: '200.00' },
        { Sku: 'S1', Category: 'Socks', Quantity: 2, Amount: '15.05' },
      ],
    });
    const row = await actionRow(ctx, id);
    expect(row.state).toBe('PENDING');
    expect(row.amount_minor).toBe(21505n);
    // 20% of 200.00 + 10% of 15.05 = 40.00 + 1.505 → 41.505 → rounds once to 41.51
    expect(row.payout_minor).toBe(4151n);
  });

  it('approve locks now and posts the payout; the ledger balances', async () => {
    const id = await makeSaleAction(ctx, brand, partner, program, { amount: '80.00' });
    const [outcome] = await applyActionOperation(ctx, brand.actor, [id], { op: 'APPROVE' });
    expect(outcome).toMatchObject({ ok: true, state: 'APPROVED' });
    const again = await applyActionOperation(ctx, brand.actor, [id], { op: 'REVERSE', reason: 'ITEM_RETURNED' });
    expect(again[0]).toMatchObject({ ok: false, refusal: 'locked' });
    const balances = await getLedgerBalances(ctx.db, partner.id);
    expect(balances).toEqual([expect.objectContaining({ code: 'PARTNER_PAYMENT_PENDING', currency: 'USD', balanceMinor: 800n })]);
    expect((await checkLedger(ctx.db)).ok).toBe(true);
  });

  it('modify, reject, reverse, restore, reset and the lock job', async () => {
    const id = await makeSaleAction(ctx, brand, partner, program, { amount: '100.00' });
    let [o] = await applyActionOperation(ctx, brand.actor, [id], { op: 'MODIFY_AMOUNT', reason: 'ITEM_RETURNED', amountMinor: 5000n });
    expect(o).toMatchObject({ ok: true, state: 'PENDING' });
    expect((await actionRow(ctx, id)).payout_minor).toBe(500n);
    [o] = await applyActionOperation(ctx, brand.actor, [id], { op: 'REVERSE', reason: 'CONS_FRAUD' });
    expect(o).toMatchObject({ ok: true, state: 'REVERSED' });
    [o] = await applyActionOperation(ctx, brand.actor, [id], { op: 'RESTORE' });
    expect(o).toMatchObject({ ok: true, state: 'PENDING' });
    [o] = await applyActionOperation(ctx, brand.actor, [id], { op: 'RESET' });
    expect(await actionRow(ctx, id)).toMatchObject({ state: 'PENDING', amount_minor: 10000n, payout_minor: 1000n, modification_count: 5 });
    db().clock.advanceDays(40);
    const run = await lockDueActions(ctx);
    expect(run.locked).toBe(1);
    expect((await actionRow(ctx, id)).state).toBe('APPROVED');
    expect((await checkLedger(ctx.db)).ok).toBe(true);
  });

  it('stores unattributable conversions as rejected, and is idempotent on the order id', async () => {
    const click = await makeClick(ctx, partner, program);
    const orderId = nextOrderId();
    const body = { ActionTrackerId: program.saleEventTypeId, OrderId: orderId, EventDate: ctx.clock.now().toISOString(), ClickId: click, Amount: '10.00' };
    const [first] = await recordConversions(ctx, brand.actor, [body]);
    const [second] = await recordConversions(ctx, brand.actor, [body]);
    expect(second).toEqual({ ...first, duplicate: true });
    const [conflict] = await recordConversions(ctx, brand.actor, [{ ...body, Amount: '11.00' }]);
    expect(conflict).toMatchObject({ status: 'CONFLICT' });
    const [noClick] = await recordConversions(ctx, brand.actor, [{ ...body, OrderId: nextOrderId(), ClickId: undefined }]);
    expect(noClick).toMatchObject({ status: 'REJECTED', rejectReason: 'NO_CLICK', actionId: null });
  });
});

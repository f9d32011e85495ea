import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/core/context.js';
import { applyActionOperation } from '../../src/modules/actions/apply-action-operation.js';
import { lockDueActions } from '../../src/modules/actions/lock-due-actions.js';
import { applyRowsInTx } from '../../src/flows/apply-returns-batch.js';
import { recordConversions } from '../../src/modules/conversions/record-conversions.js';
import { receiveReturnsBatch } from '../../src/modules/returns/receive-batch.js';
import { checkLedger } from '../../src/modules/ledger/check-ledger.js';
import { OPEN_ENDED_LOCKING_DAYS } from '../../src/modules/programs/terms/index.js';
import { actionRow, makeClick, makeSaleAction, nextOrderId } from '../support/actions.js';
import { expectOk, expectProblem, sessionClient } from '../support/api-helpers.js';
import { makeAccount, startTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { makeContract, makeProgram, type TestProgram } from '../support/programs.js';

const DAY_MS = 86_400_000;

describeDb('open-ended locking (issue 13 item 8)', (db) => {
  let ctx: ServiceContext;
  let brand: TestAccount;
  let partner: TestAccount;
  let program: TestProgram;

  beforeEach(async () => {
    ctx = { db: db().db, clock: db().clock };
    brand = await makeAccount(ctx, 'BRAND', { timeZone: 'America/New_York' });
    partner = await makeAccount(ctx, 'PARTNER');
    program = await makeProgram(ctx, brand, { timeZone: 'America/New_York', openEndedSale: true, locking: { form: 'DAYS', days: 14 } });
    await makeContract(ctx, partner, program);
    db().clock.advanceMs(60 * 60_000);
  });

  async function leadAction(): Promise<bigint> {
    const clickId = await makeClick(ctx, partner, program, new Date(ctx.clock.now().getTime() - 60_000));
    const [r] = await recordConversions(ctx, brand.actor, [{ ActionTrackerId: program.leadEventTypeId, OrderId: nextOrderId(), EventDate: ctx.clock.now().toISOString(), ClickId: clickId }]);
    if (r?.status !== 'ACCEPTED' || !r.actionId) throw new Error(`lead not accepted: ${JSON.stringify(r)}`);
    return BigInt(r.actionId);
  }

  it('an open-ended action stays pending past the locking period and locks on its own 730 days after the day it was tracked, not before', async () => {
    const eventAt = ctx.clock.now();
    const sale = await makeSaleAction(ctx, brand, partner, program, { amount: '100.00' });
    const lead = await leadAction();
    const { rows } = await ctx.db.query<{ id: string; locking_at: Date }>(`select id::text, locking_at from actions where id = any($1::bigint[]) order by id`, [
      [sale.toString(), lead.toString()],
    ]);
    const saleLocksAt = rows.find((r) => r.id === sale.toString())!.locking_at;
    // The start of the local day 731 days after the event's local day (the end of that day + 730 days).
    const eventDay = eventAt.toLocaleDateString('en-CA', { timeZone: 'America/New_York' });
    expect(saleLocksAt.toLocaleDateString('en-CA', { timeZone: 'America/New_York' })).toBe(
      new Date(Date.parse(`${eventDay}T12:00:00Z`) + (OPEN_ENDED_LOCKING_DAYS + 1) * DAY_MS).toISOString().slice(0, 10),
    );
    expect(saleLocksAt.getTime() - eventAt.getTime()).toBeGreaterThanOrEqual(OPEN_ENDED_LOCKING_DAYS * DAY_MS);

    // The terms' 14 days pass: the lead locks, the open-ended sale does not.
    db().clock.advanceMs(20 * DAY_MS);
    await lockDueActions(ctx);
    expect((await actionRow(ctx, lead)).state).toBe('APPROVED');
    expect((await actionRow(ctx, sale)).state).toBe('PENDING');

    // One minute before its 730 days are over: still pending, and still open to a modification.
    db().clock.set(new Date(saleLocksAt.getTime() - 60_000));
    expect(ctx.clock.now().getTime()).toBe(saleLocksAt.getTime() - 60_000);
    await lockDueActions(ctx);
    expect((await actionRow(ctx, sale)).state).toBe('PENDING');
    const [modified] = await applyActionOperation(ctx, brand.actor, [sale], { op: 'MODIFY_AMOUNT', reason: 'ORDER_UPDATE', amountMinor: 8000n });
    expect(modified).toMatchObject({ ok: true, state: 'PENDING' });

    // Then the lock job locks it on its own, with its payout posted.
    db().clock.advanceMs(2 * 60_000);
    await lockDueActions(ctx);
    const locked = await actionRow(ctx, sale);
    expect(locked.state).toBe('APPROVED');
    expect((await checkLedger(ctx.db)).ok).toBe(true);
  });

  it('a returns file settles open-ended actions: an order-level row ends approved or reversed, Reason=APPROVED approves', async () => {
    const [a, b, c, d] = [
      await makeSaleAction(ctx, brand, partner, program, { amount: '100.00' }),
      await makeSaleAction(ctx, brand, partner, program, { amount: '100.00' }),
      await makeSaleAction(ctx, brand, partner, program, { amount: '100.00' }),
      await makeSaleAction(ctx, brand, partner, program, { amount: '100.00' }),
    ];
    const received = await receiveReturnsBatch(
      ctx.db,
      { brandAccountId: brand.id, programId: program.id, eventTypeId: program.saleEventTypeId, userId: brand.adminUserId, now: ctx.clock.now() },
      { fileName: 'settle.csv', contentType: 'text/csv', channel: 'API', content: Buffer.from('ActionId,Amount,Reason\n') },
      async () => 0n,
    );
    if (received.ignored) throw new Error('ignored');
    const scope = { actor: brand.actor, brandAccountId: brand.id, eventTypeId: program.saleEventTypeId, eventTypeName: 'Sale', now: ctx.clock.now() };
    const order = (id: bigint, amount: string, reason: 'ITEM_RETURNED' | 'ORDER_UPDATE' | 'CONS_FRAUD') => ({
      kind: 'ORDER' as const,
      target: { by: 'ActionId' as const, actionId: `${id}` },
      reason,
      amount,
    });
    const outcomes = await ctx.db.transaction((tx) =>
      applyRowsInTx(tx, received.batch.id, scope, [
        { rowNumber: 1, cells: [], request: order(a, '80.00', 'ITEM_RETURNED') },
        { rowNumber: 2, cells: [], request: order(b, '0', 'CONS_FRAUD') },
        // The same amount: nothing to modify, and the row still settles the action.
        { rowNumber: 3, cells: [], request: order(c, '100.00', 'ORDER_UPDATE') },
        { rowNumber: 4, cells: [], request: { kind: 'APPROVE', target: { by: 'ActionId', actionId: `${d}` } } },
      ]),
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(['APPLIED', 'APPLIED', 'APPLIED', 'APPLIED']);
    expect(await actionRow(ctx, a)).toMatchObject({ state: 'APPROVED', amount_minor: 8000n, payout_minor: 800n });
    expect(await actionRow(ctx, b)).toMatchObject({ state: 'REVERSED', reversal_reason: 'CONS_FRAUD' });
    expect(await actionRow(ctx, c)).toMatchObject({ state: 'APPROVED', amount_minor: 10000n });
    expect(await actionRow(ctx, d)).toMatchObject({ state: 'APPROVED' });
    const { rows } = await ctx.db.query<{ operation: string }>(`select operation from action_modifications where action_id = $1 order by seq`, [String(a)]);
    expect(rows.map((r) => r.operation)).toEqual(['CREATE', 'MODIFY_AMOUNT', 'APPROVE']);
    expect((await checkLedger(ctx.db)).ok).toBe(true);
  });

  it('a brand may approve an open-ended action at any time before then', async () => {
    const sale = await makeSaleAction(ctx, brand, partner, program, { amount: '50.00' });
    db().clock.advanceMs(400 * DAY_MS);
    await lockDueActions(ctx);
    expect((await actionRow(ctx, sale)).state).toBe('PENDING');
    const [approved] = await applyActionOperation(ctx, brand.actor, [sale], { op: 'APPROVE' });
    expect(approved).toMatchObject({ ok: true, state: 'APPROVED' });
  });
});

describeDb('open-ended locking in template terms (API)', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  it('takes OpenEndedLocking per event type, shows it on the terms and the contract, and refuses it for CLICK', async () => {
    const brand = await makeAccount(t.ctx, 'BRAND');
    const program = await makeProgram(t.ctx, brand);
    const client = await sessionClient(t, brand.adminUserId);
    const terms = (openEnded: object) => ({
      Name: `Pre-orders ${Math.random()}`,
      Terms: {
        Payouts: [
          { EventTypeId: program.saleEventTypeId, Payout: { Kind: 'PERCENT', Percent: '10' }, ...openEnded },
          { EventTypeId: program.leadEventTypeId, Payout: { Kind: 'FIXED', Amount: '1.00' } },
        ],
        Locking: { Form: 'DAYS', Days: 7 },
        Payment: { Months: 0, Days: 19 },
      },
    });
    const created = expectOk(await client.post(`/api/v1/programs/${program.id}/terms`, terms({ OpenEndedLocking: true })), 201);
    expect(created.Terms.Payouts.map((p: { OpenEndedLocking: boolean }) => p.OpenEndedLocking)).toEqual([true, false]);
    const listed = expectOk(await client.get(`/api/v1/programs/${program.id}/terms`));
    expect(listed.find((x: { Id: number }) => x.Id === created.Id).Terms.Payouts[0].OpenEndedLocking).toBe(true);
    // Terms without it read as before: false.
    expect(listed.find((x: { Id: number }) => x.Id === program.termsId).Terms.Payouts.every((p: { OpenEndedLocking: boolean }) => p.OpenEndedLocking === false)).toBe(true);

    const partner = await makeAccount(t.ctx, 'PARTNER');
    const partnerClient = await sessionClient(t, partner.adminUserId);
    const contract = expectOk(await partnerClient.post('/api/v1/contracts', { TemplateTermsId: created.Id }), 201);
    expect(expectOk(await partnerClient.get(`/api/v1/contracts/${contract.Id}`)).Terms.Payouts[0].OpenEndedLocking).toBe(true);

    const clickTerms = terms({});
    clickTerms.Terms.Payouts.push({ EventTypeId: program.clickEventTypeId, Payout: { Kind: 'FIXED', Amount: '0.05' }, OpenEndedLocking: true } as never);
    expectProblem(await client.post(`/api/v1/programs/${program.id}/terms`, clickTerms), 400, 'Payouts[2].OpenEndedLocking: a CLICK event type cannot use open-ended locking');
    const p = expectProblem(await client.post(`/api/v1/programs/${program.id}/terms`, terms({ OpenEndedLocking: 'yes' })), 400);
    expect(JSON.stringify(p)).toContain('OpenEndedLocking');
  });
});

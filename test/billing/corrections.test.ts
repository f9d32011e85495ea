/**
 * Post-lock corrections (issue 12): an operator corrects a locked action's payout by a
 * signed amount; the action never changes; the correction is posted to the ledger at once,
 * billed on the brand's next statement as a line of its own, cleared with it, and shown
 * with the action to its brand and partner. A clawback larger than what a statement bills
 * makes a statement that owes nothing, issued paid and cleared at once. On PostgreSQL:
 * clearing racing corrections of the statement's own actions: each correction lands on
 * the next statement, billed once, never lost.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { ServiceContext } from '../../src/core/context.js';
import { recordPaymentAndClear } from '../../src/flows/clear-statement.js';
import { issueStatementsJob } from '../../src/jobs/issue-statements.js';
import { reconcile } from '../../src/jobs/reconcile.js';
import type { OperatorActor } from '../../src/modules/accounts/actor.js';
import { correctLockedAction } from '../../src/modules/billing/correct-action.js';
import { runNow } from '../../src/worker/index.js';
import { forfeitBalance } from '../../src/flows/forfeit-balance.js';
import { grantManualPaystub } from '../../src/flows/grant-manual-paystub.js';
import { available, configureTestPayouts, makeAvailable, payAllStatements, payoutWorld, saveSettings, usSettings } from '../payouts/support.js';
import { accountClient, clientFor, ledgerBalance, makeSales, runLockJob } from '../support/action-helpers.js';
import { dumpDb, expectDbUnchanged, expectOk, expectProblem } from '../support/api-helpers.js';
import { makeAccount, makeOperator, startTestApp, type Client, type TestAccount, type TestApp } from '../support/app.js';
import { describeDb, describePostgres } from '../support/db.js';
import { eventsSince, outboxCursor } from '../support/outbox.js';
import { makeContract, makeProgram, type TestProgram } from '../support/programs.js';

const DAY_MS = 86_400_000;

// biome-ignore lint/suspicious/noExplicitAny: a test reads the fields it checks without declaring the answer's whole type
type Body = Record<string, any>;
const ok = expectOk;
const problem = (response: LightMyRequestResponse, status: number, detail?: RegExp): void => void expectProblem(response, status, detail);

/** Runs the clearings the statement job started (a statement that owes nothing clears as it is issued). */
async function runQueuedClearings(ctx: ServiceContext): Promise<number> {
  const { rows } = await ctx.db.query<{ id: bigint }>(`select id from work_items where kind = 'flow:clear-statement' and state = 'QUEUED' order by id`);
  for (const row of rows) expect((await runNow(ctx, row.id)).state).toBe('DONE');
  return rows.length;
}

describeDb('post-lock corrections', (db) => {
  let t: TestApp;
  let brand: TestAccount;
  let partner: TestAccount;
  let other: TestAccount;
  let program: TestProgram;
  let brandClient: Client;
  let partnerClient: Client;
  let operatorClient: Client;

  beforeEach(async () => {
    t = await startTestApp(db());
    brand = await makeAccount(t.ctx, 'BRAND');
    partner = await makeAccount(t.ctx, 'PARTNER');
    other = await makeAccount(t.ctx, 'PARTNER');
    program = await makeProgram(t.ctx, brand, { timeZone: 'UTC' });
    await makeContract(t.ctx, partner, program);
    await makeContract(t.ctx, other, program);
    db().clock.advanceMs(3_600_000);
    brandClient = await accountClient(t, brand);
    partnerClient = await accountClient(t, partner);
    operatorClient = await clientFor(t, (await makeOperator(t.ctx)).userId);
  });
  afterEach(async () => t.close());

  const correct = (actionId: bigint, body: Record<string, unknown>) => operatorClient.post(`/api/v1/operator/actions/${actionId}/corrections`, body);
  const balance = (code: string, owner = partner.id) => ledgerBalance(t.ctx, code, owner);

  it('a positive and a negative correction: posted at once, billed on the next statement as lines of their own, cleared with it; a later clawback owes nothing and clears at once', async () => {
    // Mid-January: 3 × 100.00 for the partner, 2 × 10.00 for the other (10%: 30.00 and 2.00).
    const ids = await makeSales(t.ctx, brand, partner, program, 3, { amount: () => '100.00' });
    await makeSales(t.ctx, brand, other, program, 2, { amount: () => '10.00' });
    // Pending: not a correction's case.
    problem(await correct(ids[0]!, { Amount: '5.00', Reason: 'ADV_ACT_DISPUTE' }), 409, /not locked yet; change it with modify/);
    db().clock.advanceMs(15 * DAY_MS);
    expect((await runLockJob(t.ctx)).locked).toBe(5);
    const before = ok(await brandClient.get(`/api/v1/actions/${ids[0]}`));
    const cursor = await outboxCursor(db().db);
    const more = ok(await correct(ids[0]!, { Amount: '5.00', Reason: 'ADV_ACT_DISPUTE', Note: 'agreed bonus' }), 201);
    expect(more).toMatchObject({ ActionId: ids[0]!.toString(), Amount: '5.00', Currency: 'USD', Reason: 'ADV_ACT_DISPUTE', Note: 'agreed bonus', Status: 'UNBILLED', StatementId: null });
    const less = ok(await correct(ids[1]!, { Amount: '-2.50', Currency: 'USD', Reason: 'ITEM_RETURNED' }), 201);
    expect(less).toMatchObject({ Amount: '-2.50', Status: 'UNBILLED' });
    // The locked action is unchanged; its correction has its event, for its brand and partner.
    const after = ok(await brandClient.get(`/api/v1/actions/${ids[0]}`));
    expect(after).toEqual(before);
    const events = await eventsSince(db().db, cursor);
    expect(events.map((e) => [e.type, e.subject])).toEqual([
      ['correction.created', `correction:${more.Id}`],
      ['correction.created', `correction:${less.Id}`],
    ]);
    expect(events[0]!.accountIds.sort()).toEqual([brand.id, partner.id].sort());
    expect(events[0]!.payload).toEqual(more);
    // Posted at once: the partner's payment pending holds 30.00 + 5.00 - 2.50.
    expect(await balance('PARTNER_PAYMENT_PENDING')).toBe(3250n);
    expect(await balance('BRAND_PAYABLE', brand.id)).toBe(-3450n);

    // Early February: the statement bills the five actions and the two corrections.
    db().clock.advanceMs(3 * DAY_MS);
    await issueStatementsJob.run(t.ctx);
    const [statement] = ok(await brandClient.get('/api/v1/statements')).Items;
    expect(statement).toMatchObject({ Actions: 5, Corrections: 2, Total: '34.50', Owed: '34.50', Status: 'OPEN' });
    const detail = ok(await brandClient.get(`/api/v1/statements/${statement.Id}`));
    expect(detail.CorrectionLines.map((c: Body) => [c.ActionId, c.Amount, c.Status, c.StatementNumber])).toEqual([
      [ids[0]!.toString(), '5.00', 'BILLED', statement.Number],
      [ids[1]!.toString(), '-2.50', 'BILLED', statement.Number],
    ]);
    // The partner sees them with the action; another brand does not.
    const seen = ok(await partnerClient.get(`/api/v1/actions/${ids[0]}/corrections`));
    expect(seen.Items.map((c: Body) => [c.Id, c.Amount, c.StatementNumber])).toEqual([[more.Id, '5.00', statement.Number]]);
    const otherBrandClient = await accountClient(t, await makeAccount(t.ctx, 'BRAND'));
    problem(await otherBrandClient.get(`/api/v1/actions/${ids[0]}/corrections`), 404);
    problem(await (await accountClient(t, other)).get(`/api/v1/actions/${ids[0]}/corrections`), 404);

    // Paid in full: the actions and the corrections clear.
    ok(await operatorClient.post(`/api/v1/operator/statements/${statement.Id}/payments`, { Amount: '34.50', ReceivedDate: '2026-02-05', Reference: 'B-1' }), 201);
    expect(await balance('PARTNER_PAYMENT_PENDING')).toBe(0n);
    expect(await balance('PARTNER_AVAILABLE')).toBe(3250n);
    expect(await balance('PARTNER_AVAILABLE', other.id)).toBe(200n);
    expect(await balance('BRAND_PAYABLE', brand.id)).toBe(0n);
    expect(ok(await partnerClient.get(`/api/v1/actions/${ids[1]}/corrections`)).Items[0]).toMatchObject({ Status: 'CLEARED' });

    // A clawback beyond what the action still pays (10.00 - 2.50) is refused; one within it
    // takes back from the cleared balance.
    problem(await correct(ids[1]!, { Amount: '-7.51', Reason: 'ITEM_RETURNED' }), 409, /pays 7\.50 USD after its corrections; a clawback may take back at most that much/);
    ok(await correct(ids[2]!, { Amount: '-10.00', Reason: 'CONS_FRAUD' }), 201);
    expect(await balance('PARTNER_PAYMENT_PENDING')).toBe(-1000n);
    // Early March: the February statement holds only the clawback: it owes nothing, is paid as issued and clears.
    db().clock.advanceMs(28 * DAY_MS);
    await issueStatementsJob.run(t.ctx);
    const march = ok(await brandClient.get('/api/v1/statements?sort=IssuedDate&order=desc')).Items[0];
    expect(march).toMatchObject({ Actions: 0, Corrections: 1, Total: '-10.00', Owed: '0.00', Status: 'PAID' });
    problem(await operatorClient.post(`/api/v1/operator/statements/${march.Id}/payments`, { Amount: '1.00', ReceivedDate: '2026-03-05', Reference: 'B-2' }), 409, /nothing is owed/);
    expect(await runQueuedClearings(t.ctx)).toBe(1);
    expect(await balance('PARTNER_PAYMENT_PENDING')).toBe(0n);
    expect(await balance('PARTNER_AVAILABLE')).toBe(2250n);
    // The brand's credit: it was billed 10.00 less than it paid for this partner.
    expect(await balance('BRAND_PAYABLE', brand.id)).toBe(1000n);
    expect(ok(await brandClient.get(`/api/v1/statements/${march.Id}`)).ClearedDate).not.toBeNull();
    expect(await reconcile(db().db)).toMatchObject({ ok: true, problems: [] });

    // The partner's Balance screen: every movement of the available balance, with the running balance.
    const movements = ok(await partnerClient.get('/api/v1/balance/movements?order=asc'));
    expect(movements.Items.map((m: Body) => [m.Type, m.Amount, m.Balance, m.Reference, m.StatementNumber, m.ActionId])).toEqual([
      ['PAYMENT_RECEIVED', '30.00', '30.00', `statement:${statement.Id}`, statement.Number, null],
      ['CORRECTION', '5.00', '35.00', `correction:${more.Id}`, null, ids[0]!.toString()],
      ['CORRECTION', '-2.50', '32.50', `correction:${less.Id}`, null, ids[1]!.toString()],
      ['CORRECTION', '-10.00', '22.50', expect.stringMatching(/^correction:\d+$/), null, ids[2]!.toString()],
    ]);
    // Newest first by default; filtered, the running balance stays the account's.
    const newest = ok(await partnerClient.get('/api/v1/balance/movements?type=CORRECTION&currency=USD&pageSize=2'));
    expect(newest).toMatchObject({ Total: 3, Page: 1, PageSize: 2 });
    expect(newest.Items.map((m: Body) => m.Balance)).toEqual(['22.50', '32.50']);
    const firstDay = movements.Items[0].Date as string;
    expect(ok(await partnerClient.get(`/api/v1/balance/movements?to=${encodeURIComponent(firstDay)}`)).Total).toBe(0);
    expect(ok(await partnerClient.get(`/api/v1/balance/movements?type=WITHDRAWAL,FEE`)).Total).toBe(0);
    expect(ok(await partnerClient.get('/api/v1/balance/movements?currency=EUR')).Total).toBe(0);
    problem(await partnerClient.get('/api/v1/balance/movements?type=BONUS'), 400, /one type or several/);
    const csv = await partnerClient.get('/api/v1/balance/movements/export.csv?order=asc');
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('Id,Date,Type,Reference,StatementNumber,ActionId,Currency,Amount,Balance');
    expect(lines.slice(1).map((line) => line.split(',').slice(-3))).toEqual([
      ['USD', '30.00', '30.00'],
      ['USD', '5.00', '35.00'],
      ['USD', '-2.50', '32.50'],
      ['USD', '-10.00', '22.50'],
    ]);
    // The other partner sees only its own; a brand has no balance movements.
    const others = ok(await (await accountClient(t, other)).get('/api/v1/balance/movements'));
    expect(others.Items.map((m: Body) => [m.Type, m.Amount])).toEqual([['PAYMENT_RECEIVED', '2.00']]);
    problem(await brandClient.get('/api/v1/balance/movements'), 403);
  });

  it('refuses bad input with a problem that says what is wrong, storing nothing', async () => {
    const [id] = await makeSales(t.ctx, brand, partner, program, 1, { amount: () => '100.00' });
    db().clock.advanceMs(15 * DAY_MS);
    await runLockJob(t.ctx);
    const stored = await dumpDb(db().db);
    problem(await correct(id!, { Amount: '0.00', Reason: 'OTHER' }), 400, /more or less than zero/);
    problem(await correct(id!, { Amount: '1.001', Reason: 'OTHER' }), 400, /USD allows at most 2/);
    problem(await correct(id!, { Amount: 'ten', Reason: 'OTHER' }), 400, /Amount/);
    problem(await correct(id!, { Amount: '1.00', Currency: 'EUR', Reason: 'OTHER' }), 400, /is in USD; a correction is in the action's currency/);
    problem(await correct(id!, { Amount: '1.00', Reason: 'NOT_A_REASON' }), 400);
    problem(await correct(id!, { Amount: '1.00', Reason: 'OTHER', Note: 'x'.repeat(501) }), 400);
    problem(await correct(id!, { Amount: '-10.01', Reason: 'OTHER' }), 409, /pays 10\.00 USD/);
    problem(await correct(999_999_999n, { Amount: '1.00', Reason: 'OTHER' }), 404, /does not exist/);
    problem(await brandClient.post(`/api/v1/operator/actions/${id}/corrections`, { Amount: '1.00', Reason: 'OTHER' }), 403);
    problem(await partnerClient.post(`/api/v1/operator/actions/${id}/corrections`, { Amount: '1.00', Reason: 'OTHER' }), 403);
    await expectDbUnchanged(db().db, stored, 'the refused corrections');
  });
});

describePostgres('clearing racing post-lock corrections (PostgreSQL)', (db) => {
  it('corrections made while the statement clears land on the next statement, each billed once, none lost', async () => {
    const ctx: ServiceContext = { db: db().db, clock: db().clock };
    const brand = await makeAccount(ctx, 'BRAND');
    const program = await makeProgram(ctx, brand, { timeZone: 'UTC' });
    const partners = [await makeAccount(ctx, 'PARTNER'), await makeAccount(ctx, 'PARTNER')];
    for (const partner of partners) await makeContract(ctx, partner, program);
    db().clock.advanceMs(3_600_000);
    const ids: bigint[] = [];
    for (const partner of partners) ids.push(...(await makeSales(ctx, brand, partner, program, 4, { amount: () => '100.00' })));
    db().clock.advanceMs(18 * DAY_MS);
    await runLockJob(ctx);
    await issueStatementsJob.run(ctx);
    const { rows } = await db().db.query<{ id: number; total: bigint }>('select id, total_minor as total from statements');
    expect(rows).toHaveLength(1);
    const operator: OperatorActor = { type: 'operator', userId: (await makeOperator(ctx)).userId };
    // The payment that clears the statement, and a correction of each of its actions, at once.
    const results = await Promise.all([
      recordPaymentAndClear(ctx, operator, rows[0]!.id, { amount: '80.00', receivedOn: '2026-02-05', reference: 'ALL' }, 'OPERATOR'),
      ...ids.map((id, i) => correctLockedAction(ctx, operator, id, { amount: i % 2 === 0 ? '1.25' : '-0.75', reason: 'ORDER_UPDATE' })),
    ]);
    expect(results).toHaveLength(9);
    const { rows: cleared } = await db().db.query<{ n: number }>('select count(*)::int as n from action_corrections where statement_id is not null');
    expect(cleared[0]!.n).toBe(0);
    // The next month's statement bills all eight, once; paid, they clear.
    db().clock.advanceMs(30 * DAY_MS);
    await issueStatementsJob.run(ctx);
    await issueStatementsJob.run(ctx);
    const { rows: next } = await db().db.query<{ id: number; total: bigint; n: number }>(
      'select id, total_minor as total, correction_count as n from statements where id <> $1',
      [rows[0]!.id],
    );
    expect(next).toEqual([{ id: next[0]!.id, total: 200n, n: 8 }]);
    await recordPaymentAndClear(ctx, operator, next[0]!.id, { amount: '2.00', receivedOn: '2026-03-05', reference: 'NEXT' }, 'OPERATOR');
    for (const partner of partners) {
      expect(await ledgerBalance(ctx, 'PARTNER_PAYMENT_PENDING', partner.id)).toBe(0n);
      expect(await ledgerBalance(ctx, 'PARTNER_AVAILABLE', partner.id)).toBe(4000n + 2n * 125n - 2n * 75n);
    }
    const { rows: billed } = await db().db.query<{ n: number }>('select count(*)::int as n from action_corrections where statement_id = $1 and cleared_at is not null', [next[0]!.id]);
    expect(billed[0]!.n).toBe(8);
    expect(await reconcile(db().db)).toMatchObject({ ok: true, problems: [] });
  });
});

describePostgres('the statement job racing post-lock corrections (PostgreSQL)', (db) => {
  it('corrections made while the statements are issued land on them or on the next ones, each billed once, none lost', async () => {
    const ctx: ServiceContext = { db: db().db, clock: db().clock };
    const brand = await makeAccount(ctx, 'BRAND');
    const program = await makeProgram(ctx, brand, { timeZone: 'UTC' });
    const partner = await makeAccount(ctx, 'PARTNER');
    await makeContract(ctx, partner, program);
    db().clock.advanceMs(3_600_000);
    const ids = await makeSales(ctx, brand, partner, program, 6, { amount: () => '100.00' });
    db().clock.advanceMs(15 * DAY_MS);
    await runLockJob(ctx);
    const operator: OperatorActor = { type: 'operator', userId: (await makeOperator(ctx)).userId };
    // Late January corrections; then the job runs on 2 February while more, dated the last
    // second of January (a clock of their own), are being made: each is on the statement
    // the job issues or, committed after it read the corrections, on a further one for January.
    for (const id of ids.slice(0, 3)) await correctLockedAction(ctx, operator, id, { amount: '0.50', reason: 'ORDER_UPDATE' });
    const lateJanuary: ServiceContext = { db: db().db, clock: new ManualClock('2026-01-31T23:59:59Z') };
    db().clock.set(new Date('2026-02-02T12:00:00Z'));
    await Promise.all([
      issueStatementsJob.run(ctx),
      ...ids.slice(3).map((id) => correctLockedAction(lateJanuary, operator, id, { amount: '-0.25', reason: 'ORDER_UPDATE' })),
    ]);
    db().clock.advanceMs(30 * DAY_MS);
    await issueStatementsJob.run(ctx);
    const { rows } = await db().db.query<{ billed: number; unbilled: number; total: bigint; corrections: bigint }>(
      `select (select count(*)::int from action_corrections where statement_id is not null) as billed,
              (select count(*)::int from action_corrections where statement_id is null) as unbilled,
              (select sum(total_minor)::bigint from statements) as total,
              (select sum(amount_minor)::bigint from action_corrections) as corrections`,
    );
    expect(rows[0]).toEqual({ billed: 6, unbilled: 0, total: 6000n + 150n - 75n, corrections: 75n });
    // Every statement is January's.
    const { rows: periods } = await db().db.query<{ period: string }>('select distinct period_start::text as period from statements');
    expect(periods).toEqual([{ period: '2026-01-01' }]);
    expect(await reconcile(db().db)).toMatchObject({ ok: true, problems: [] });
  });
});

describeDb('post-lock corrections paid out', (db) => {
  it("a paystub pays the cleared corrections with the actions (its gross is both); a forfeit settles them too; a clawback after the payout leaves the available balance below zero, which no paystub pays", async () => {
    configureTestPayouts();
    const ctx: ServiceContext = { db: db().db, clock: db().clock };
    const world = await payoutWorld(ctx, db().clock, { partners: 2 });
    const [partner, second] = world.partners as [TestAccount, TestAccount];
    const [ids, secondIds] = await makeAvailable(ctx, db().clock, world, [['100.00', '100.00'], ['50.00']]);
    await correctLockedAction(ctx, world.operator, ids![0]!, { amount: '3.00', reason: 'ADV_ACT_DISPUTE' });
    await correctLockedAction(ctx, world.operator, secondIds![0]!, { amount: '-1.00', reason: 'ITEM_RETURNED' });
    db().clock.advanceMs(31 * DAY_MS);
    await issueStatementsJob.run(ctx);
    await payAllStatements(ctx, world);
    expect(await available(ctx, partner)).toBe(2300n);
    expect(await available(ctx, second)).toBe(400n);

    await saveSettings(ctx, partner, usSettings());
    const { paystub } = await grantManualPaystub(ctx, world.operator, { partnerAccountId: partner.id });
    expect(paystub.grossMinor).toBe(2300n);
    expect(await available(ctx, partner)).toBe(0n);
    const { rows: paid } = await db().db.query<{ paystub: string }>('select paystub_id::text as paystub from action_corrections where action_id = $1', [ids![0]!.toString()]);
    expect(paid).toEqual([{ paystub: paystub.id.toString() }]);
    const forfeit = await forfeitBalance(ctx, world.operator, { partnerAccountId: second.id, reason: 'closure: the partner gives up 4.00' });
    expect(forfeit.amountMinor).toBe(400n);
    const { rows: forfeited } = await db().db.query<{ forfeit: number }>('select forfeit_id as forfeit from action_corrections where action_id = $1', [secondIds![0]!.toString()]);
    expect(forfeited).toEqual([{ forfeit: forfeit.id }]);

    // Clawed back after it was paid out: the available balance goes below zero; no paystub pays it.
    await correctLockedAction(ctx, world.operator, ids![1]!, { amount: '-4.00', reason: 'CONS_FRAUD' });
    db().clock.advanceMs(31 * DAY_MS);
    await issueStatementsJob.run(ctx);
    await runQueuedClearings(ctx);
    expect(await available(ctx, partner)).toBe(-400n);
    await expect(grantManualPaystub(ctx, world.operator, { partnerAccountId: partner.id })).rejects.toThrow();
    expect(await reconcile(db().db)).toMatchObject({ ok: true, problems: [] });
  });
});

/**
 * Brand statements end to end through the API: the month's locked payouts billed per
 * program, currency and due date, read by the brand and operators only; payments
 * recorded once per reference, partial, never more than owed; paid in full, the actions
 * clear and the partners' payouts become available in the ledger; unpaid past the due
 * date, the statement and its actions are overdue.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { issueStatements } from '../../src/modules/billing/issue-statements.js';
import { checkLedger } from '../../src/modules/ledger/check-ledger.js';
import { accountClient, clientFor, ledgerBalance, makeSales, runLockJob } from '../support/action-helpers.js';
import { makeAccount, makeOperator, startTestApp, type Client, type TestAccount, type TestApp } from '../support/app.js';
import { describeDb } from '../support/db.js';
import { eventsSince, outboxCursor } from '../support/outbox.js';
import { makeContract, makeProgram, type TestProgram } from '../support/programs.js';
import { expectOk as ok, expectProblem as problem } from '../support/api-helpers.js';
// biome-ignore lint/suspicious/noExplicitAny: a test reads the fields it checks without declaring the answer's whole type
type Body = Record<string, any>;

const DAY_MS = 86_400_000;


describeDb('statements: billing, payments, clearing and overdue', (db) => {
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

  /** Sales now (mid-January), locked at the end of January, billed in the first days of February. */
  async function billedMonth(): Promise<{ statement: Body; ids: bigint[] }> {
    const ids = [
      ...(await makeSales(t.ctx, brand, partner, program, 3, { amount: (i) => ['100.00', '50.50', '20.05'][i]! })),
      ...(await makeSales(t.ctx, brand, other, program, 2, { amount: () => '10.00' })),
    ];
    // Before the month is over nothing is billed.
    db().clock.advanceMs(15 * DAY_MS);
    expect((await runLockJob(t.ctx)).locked).toBe(5);
    expect(await issueStatements(t.ctx)).toMatchObject({ ran: true, statements: 0, lines: 0 });
    db().clock.advanceMs(3 * DAY_MS);
    expect(await issueStatements(t.ctx)).toMatchObject({ ran: true, statements: 1, lines: 5 });
    // A second run finds nothing left to bill.
    expect(await issueStatements(t.ctx)).toMatchObject({ ran: true, statements: 0, lines: 0 });
    const list = ok(await brandClient.get('/api/v1/statements'));
    expect(list.Total).toBe(1);
    return { statement: list.Items[0], ids };
  }

  it("bills a month's locked payouts on one statement, grouped by partner and event type, read by the brand and operators only", async () => {
    const { statement, ids } = await billedMonth();
    expect(statement).toMatchObject({
      CampaignId: program.id,
      Currency: 'USD',
      PeriodStart: '2026-01-01',
      PeriodEnd: '2026-01-31',
      Actions: 5,
      // 10% of 100.00 + 50.50 + 20.05 (rounded once each: 10.00 + 5.05 + 2.01) and of 2 × 10.00.
      Total: '19.06',
      Paid: '0.00',
      Owed: '19.06',
      Status: 'OPEN',
      // The payment schedule: 19 days after the end of January.
      DueOn: '2026-02-20',
      PaidDate: null,
      ClearedDate: null,
    });
    expect(statement.Number).toMatch(/^ST-202601-\d{6}$/);
    // Its due date is its actions' payment date.
    expect(ok(await brandClient.get(`/api/v1/actions/${ids[0]}`)).PaymentDate).toBe(statement.DueDate);
    const detail = ok(await brandClient.get(`/api/v1/statements/${statement.Id}`));
    expect(detail.Groups.map((g: Record<string, unknown>) => [g.MediaPartnerId, g.Actions, g.Payout]).sort()).toEqual(
      [[partner.id, 3, '17.06'], [other.id, 2, '2.00']].sort(),
    );
    const lines = ok(await brandClient.get(`/api/v1/statements/${statement.Id}/lines?pageSize=2`));
    expect(lines.Total).toBe(5);
    expect(lines.Items).toHaveLength(2);
    const all = ok(await brandClient.get(`/api/v1/statements/${statement.Id}/lines?pageSize=500`));
    expect(all.Items.map((l: { ActionId: string }) => BigInt(l.ActionId)).sort()).toEqual([...ids].sort());
    const csv = await brandClient.get(`/api/v1/statements/${statement.Id}/lines/export.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.body.split('\n')[0]).toContain('ActionId');
    expect(csv.body.trim().split('\n')).toHaveLength(6);

    // The operator sees it too, with the brand filter; a partner and another brand do not.
    expect(ok(await operatorClient.get(`/api/v1/statements?brandId=${brand.id}`)).Total).toBe(1);
    expect(ok(await partnerClient.get('/api/v1/statements')).Total).toBe(0);
    problem(await partnerClient.get(`/api/v1/statements/${statement.Id}`), 404);
    const otherBrand = await makeAccount(t.ctx, 'BRAND');
    const otherBrandClient = await accountClient(t, otherBrand);
    problem(await otherBrandClient.get(`/api/v1/statements/${statement.Id}`), 404);
    problem(await otherBrandClient.get(`/api/v1/statements/${statement.Id}/lines`), 404);
    problem(await otherBrandClient.get(`/api/v1/statements/${statement.Id}/lines/export.csv`), 404);
    problem(await brandClient.get(`/api/v1/statements?brandId=${otherBrand.id}`), 403);
  });

  it('records payments once per reference, partly, never more than owed; paid in full, its actions clear and the payouts become available', async () => {
    const { statement, ids } = await billedMonth();
    const url = `/api/v1/operator/statements/${statement.Id}/payments`;
    const first = ok(await operatorClient.post(url, { Amount: '10.00', ReceivedDate: '2026-02-05', Reference: 'BANK-1' }), 201);
    expect(first).toMatchObject({ Repeated: false, ClearingWorkItemId: null, Statement: { Paid: '10.00', Owed: '9.06', Status: 'PARTIALLY_PAID' } });
    // The same reference and amount again is the first answer; another amount under it is a conflict.
    const again = ok(await operatorClient.post(url, { Amount: '10.00', ReceivedDate: '2026-02-05', Reference: 'BANK-1' }), 200);
    expect(again).toMatchObject({ Repeated: true, Payment: { Id: first.Payment.Id } });
    problem(await operatorClient.post(url, { Amount: '9.00', ReceivedDate: '2026-02-05', Reference: 'BANK-1' }), 409, /recorded already/);
    // More than owed, zero, negative, over-precise, malformed: refused, nothing recorded.
    problem(await operatorClient.post(url, { Amount: '9.07', ReceivedDate: '2026-02-06', Reference: 'BANK-2' }), 409, /0\.01 USD more than the 9\.06 still owed/);
    problem(await operatorClient.post(url, { Amount: '0', ReceivedDate: '2026-02-06', Reference: 'BANK-2' }), 400, /more than zero/);
    problem(await operatorClient.post(url, { Amount: '-1.00', ReceivedDate: '2026-02-06', Reference: 'BANK-2' }), 400);
    problem(await operatorClient.post(url, { Amount: '1.001', ReceivedDate: '2026-02-06', Reference: 'BANK-2' }), 400, /^Amount: /);
    problem(await operatorClient.post(url, { Amount: '1.00', ReceivedDate: '2026-02-30', Reference: 'BANK-2' }), 400, /ReceivedDate/);
    problem(await operatorClient.post(url, { Amount: '1.00', ReceivedDate: '2026-02-06', Reference: ' ' }), 400, /Reference/);
    // A brand records on its own statement only, and not through the operator route.
    problem(await brandClient.post(url, { Amount: '1.00', ReceivedDate: '2026-02-06', Reference: 'BANK-2' }), 403);
    const otherBrand = await makeAccount(t.ctx, 'BRAND');
    problem(await (await accountClient(t, otherBrand)).post(`/api/v1/statements/${statement.Id}/payments`, { Amount: '1.00', ReceivedDate: '2026-02-06', Reference: 'X' }), 404);
    expect(ok(await brandClient.get(`/api/v1/statements/${statement.Id}`)).Payments).toHaveLength(1);

    const cursor = await outboxCursor(t.ctx.db);
    const rest = ok(
      await brandClient.post(`/api/v1/statements/${statement.Id}/payments`, { Amount: '9.06', ReceivedDate: '2026-02-07', Reference: 'ACME-PAY-77' }),
      201,
    );
    expect(rest).toMatchObject({ Repeated: false, ClearingState: 'DONE', Statement: { Status: 'PAID', Owed: '0.00', Paid: '19.06' } });
    expect(rest.Statement.ClearedDate).not.toBeNull();
    // Every action cleared, once, with its event; the status detail reads Approved/Paid.
    const events = await eventsSince(t.ctx.db, cursor);
    expect(events.filter((e) => e.type === 'action.cleared').map((e) => e.subject).sort()).toEqual(ids.map((id) => `action:${id}`).sort());
    for (const id of ids) {
      const action = ok(await brandClient.get(`/api/v1/actions/${id}`));
      expect(action).toMatchObject({ StatusDetail: 'Approved/Paid' });
      expect(action.ClearedDate).not.toBeNull();
    }
    // The ledger: the brand owes nothing, each partner's payouts are available, nothing pending.
    expect(await ledgerBalance(t.ctx, 'BRAND_PAYABLE', brand.id)).toBe(0n);
    expect(await ledgerBalance(t.ctx, 'PARTNER_AVAILABLE', partner.id)).toBe(1706n);
    expect(await ledgerBalance(t.ctx, 'PARTNER_AVAILABLE', other.id)).toBe(200n);
    expect(await ledgerBalance(t.ctx, 'PARTNER_PAYMENT_PENDING', partner.id)).toBe(0n);
    expect((await checkLedger(t.ctx.db)).ok).toBe(true);
    expect(ok(await partnerClient.get('/api/v1/balances')).Balances).toEqual([
      { Currency: 'USD', Pending: '0.00', PaymentPending: '0.00', Overdue: '0.00', Available: '17.06', Payable: '0.00' },
    ]);
    expect(ok(await brandClient.get('/api/v1/balances')).Balances).toEqual([
      { Currency: 'USD', Pending: '0.00', PaymentPending: '0.00', Overdue: '0.00', Available: '0.00', Payable: '0.00' },
    ]);
    // Paid in full: a further payment is refused.
    problem(await operatorClient.post(url, { Amount: '0.01', ReceivedDate: '2026-02-08', Reference: 'BANK-3' }), 409, /paid in full/);
  });

  it('past its due date and not paid in full, the statement and its actions are overdue', async () => {
    const { statement, ids } = await billedMonth();
    ok(await operatorClient.post(`/api/v1/operator/statements/${statement.Id}/payments`, { Amount: '1.00', ReceivedDate: '2026-02-05', Reference: 'B' }), 201);
    db().clock.advanceMs(20 * DAY_MS);
    const late = ok(await brandClient.get(`/api/v1/statements/${statement.Id}`));
    expect(late).toMatchObject({ Status: 'OVERDUE', Owed: '18.06' });
    expect(ok(await brandClient.get('/api/v1/statements?status=OVERDUE')).Total).toBe(1);
    expect(ok(await brandClient.get('/api/v1/statements?status=OPEN')).Total).toBe(0);
    const action = ok(await partnerClient.get(`/api/v1/actions/${ids[0]}`));
    expect(action.StatusDetail).toBe('Approved/Overdue');
    // The partner's balances show the overdue part of payment pending; its Pending screen filters it.
    expect(ok(await partnerClient.get('/api/v1/balances')).Balances).toEqual([
      { Currency: 'USD', Pending: '0.00', PaymentPending: '17.06', Overdue: '17.06', Available: '0.00', Payable: '0.00' },
    ]);
    expect(ok(await partnerClient.get('/api/v1/actions?pendingStatus=OVERDUE')).Total).toBe(3);
    expect(ok(await partnerClient.get('/api/v1/actions?pendingStatus=LOCKED')).Total).toBe(0);
    expect(ok(await partnerClient.get('/api/v1/actions?pendingStatus=NOT_YET_LOCKED')).Total).toBe(0);
    expect(ok(await partnerClient.get('/api/v1/actions?pendingStatus=ALL')).Total).toBe(3);
    expect(ok(await brandClient.get('/api/v1/balances')).Balances[0]).toMatchObject({ Overdue: '19.06', Payable: '18.06' });
  });

  it('refuses malformed statement queries with 400', async () => {
    for (const query of ['status=LATE', 'programId=abc', 'currency=usd', 'periodFrom=2026-13-01', 'pageSize=0', 'sort=Amount', 'nope=1']) {
      problem(await brandClient.get(`/api/v1/statements?${query}`), 400);
    }
    problem(await brandClient.get('/api/v1/statements/0'), 400);
    problem(await brandClient.get('/api/v1/statements/99999'), 404);
  });
});

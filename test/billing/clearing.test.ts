/**
 * Clearing a paid statement is a flow: one posting per partner, the partner's actions
 * cleared in chunks, each chunk committed with its cursor. Failing part-way and running
 * again posts no partner twice and clears no action twice. On PostgreSQL: the same
 * payment sent twice at once is recorded once; payments racing past what is owed, one
 * is refused; two payments each completing the statement at once start one clearing.
 */
import { expect, it } from 'vitest';
import type { ServiceContext } from '../../src/core/context.js';
import type { Db } from '../../src/db/types.js';
import { clearStatementFlow, INITIAL_CLEARING, recordPaymentAndClear } from '../../src/flows/clear-statement.js';
import { reconcile, reconcileJob } from '../../src/jobs/reconcile.js';
import type { OperatorActor } from '../../src/modules/accounts/actor.js';
import { issueStatements } from '../../src/modules/billing/issue-statements.js';
import { recordPaymentInTx } from '../../src/modules/billing/record-payment.js';
import { checkLedger } from '../../src/modules/ledger/check-ledger.js';
import { runNow } from '../../src/worker/index.js';
import { ledgerBalance, makeSales, runLockJob } from '../support/action-helpers.js';
import { makeAccount, makeOperator, type TestAccount } from '../support/app.js';
import { describeDb, describePostgres, type DbTestContext } from '../support/db.js';
import { makeContract, makeProgram } from '../support/programs.js';

const DAY_MS = 86_400_000;

interface BilledWorld {
  ctx: ServiceContext;
  operator: OperatorActor;
  partners: TestAccount[];
  statementId: number;
  totalMinor: bigint;
}

/** Three partners with sales in January, locked, billed on one statement in February. */
async function billedWorld(test: DbTestContext): Promise<BilledWorld> {
  const ctx: ServiceContext = { db: test.db, clock: test.clock };
  const brand = await makeAccount(ctx, 'BRAND');
  const program = await makeProgram(ctx, brand, { timeZone: 'UTC' });
  const partners = [await makeAccount(ctx, 'PARTNER'), await makeAccount(ctx, 'PARTNER'), await makeAccount(ctx, 'PARTNER')];
  for (const partner of partners) await makeContract(ctx, partner, program);
  test.clock.advanceMs(3_600_000);
  for (const [i, partner] of partners.entries()) await makeSales(ctx, brand, partner, program, 2 + i, { amount: () => '10.00' });
  test.clock.advanceMs(18 * DAY_MS);
  await runLockJob(ctx);
  expect(await issueStatements(ctx)).toMatchObject({ statements: 1, lines: 9 });
  const { rows } = await test.db.query<{ id: number; total: bigint }>('select id, total_minor as total from statements');
  return { ctx, operator: { type: 'operator', userId: (await makeOperator(ctx)).userId }, partners, statementId: rows[0]!.id, totalMinor: rows[0]!.total };
}

async function clearedActions(sql: Db): Promise<number> {
  const { rows } = await sql.query<{ n: number }>('select count(*)::int as n from actions where cleared_at is not null');
  return rows[0]!.n;
}

async function clearingPostings(sql: Db): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(`select count(*)::int as n from ledger_transfers where kind = 'STATEMENT_CLEARED'`);
  return rows[0]!.n;
}

const money = (minor: bigint) => `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;

describeDb('clearing a paid statement', (db) => {
  it('failing in the middle and running again: each partner posted once, each action cleared once', async () => {
    const w = await billedWorld(db());
    const { db: sql, clock } = db();
    // The payment that pays it in full, with the clearing's record, as the route commits them.
    const id = await sql.transaction(async (tx) => {
      await recordPaymentInTx(tx, w.operator, w.statementId, { amount: money(w.totalMinor), receivedOn: '2026-02-05', reference: 'FULL' }, 'OPERATOR', clock.now());
      return clearStatementFlow.start(tx, w.ctx, { statementId: w.statementId }, INITIAL_CLEARING);
    });
    // A database that fails the second partner's clearing, as a crash in the middle of it would.
    let chunks = 0;
    const failing: Db = {
      ...sql,
      transaction: (fn) =>
        sql.transaction((tx) =>
          fn({
            ...tx,
            query: async (text, params, options) => {
              if (/^\s*update actions set cleared_at/.test(text) && ++chunks === 2) throw new Error('the database went away');
              return tx.query(text, params, options);
            },
          } as typeof tx),
        ),
    };
    const first = await runNow({ db: failing, clock }, id);
    expect(first.state).toBe('FAILED');
    expect(await clearingPostings(sql)).toBe(1);
    expect(await clearedActions(sql)).toBe(2);
    await sql.query('update work_items set run_after = now() where id = $1', [id.toString()]);
    const second = await runNow(w.ctx, id);
    expect(second.state).toBe('DONE');
    expect(await clearingPostings(sql)).toBe(3);
    expect(await clearedActions(sql)).toBe(9);
    for (const [i, partner] of w.partners.entries()) expect(await ledgerBalance(w.ctx, 'PARTNER_AVAILABLE', partner.id)).toBe(BigInt((2 + i) * 100));
    const { rows } = await sql.query<{ cleared: Date | null }>('select cleared_at as cleared from statements where id = $1', [w.statementId]);
    expect(rows[0]!.cleared).not.toBeNull();
    expect((await checkLedger(sql)).ok).toBe(true);
  });
});

describePostgres('payments at once (PostgreSQL)', (db) => {
  it('the same payment sent twice at once is recorded once: one 201, one repeat', async () => {
    const w = await billedWorld(db());
    const input = { amount: '1.00', receivedOn: '2026-02-05', reference: 'TWICE' };
    const answers = await Promise.all([0, 1].map(() => recordPaymentAndClear(w.ctx, w.operator, w.statementId, input, 'OPERATOR')));
    expect(answers.map((a) => a.repeated).sort()).toEqual([false, true]);
    const { rows } = await db().db.query<{ n: number; paid: bigint }>(
      'select count(*)::int as n, (select paid_minor from statements where id = $1) as paid from brand_payments where statement_id = $1',
      [w.statementId],
    );
    expect(rows[0]).toEqual({ n: 1, paid: 100n });
  });

  it('payments racing past what is owed: the first is recorded, the other refused; two that each complete it start one clearing', async () => {
    const w = await billedWorld(db());
    const almost = w.totalMinor - 100n;
    const racing = await Promise.allSettled(
      ['A', 'B'].map((reference) => recordPaymentAndClear(w.ctx, w.operator, w.statementId, { amount: money(almost), receivedOn: '2026-02-05', reference }, 'OPERATOR')),
    );
    expect(racing.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = racing.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(String(refused.reason)).toMatch(/more than the 1\.00 still owed/);
    const finals = await Promise.allSettled(
      ['C', 'D'].map((reference) => recordPaymentAndClear(w.ctx, w.operator, w.statementId, { amount: '1.00', receivedOn: '2026-02-06', reference }, 'OPERATOR')),
    );
    expect(finals.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const { rows } = await db().db.query<{ n: number }>(`select count(*)::int as n from work_items where kind = 'flow:clear-statement'`);
    expect(rows[0]!.n).toBe(1);
    expect(await clearingPostings(db().db)).toBe(3);
    expect(await clearedActions(db().db)).toBe(9);
    expect((await checkLedger(db().db)).ok).toBe(true);
  });
});

describeDb('reconcile', (db) => {
  it('finds a statement whose total drifted from its lines, a payment the ledger does not hold, and a cleared statement with an uncleared action; the job fails with them', async () => {
    const w = await billedWorld(db());
    expect(await reconcile(db().db)).toMatchObject({ ok: true, problems: [] });
    await recordPaymentAndClear(w.ctx, w.operator, w.statementId, { amount: money(w.totalMinor), receivedOn: '2026-02-05', reference: 'ALL' }, 'OPERATOR');
    expect((await reconcile(db().db)).ok).toBe(true);
    // Drift, as a bug or a hand edit would leave it.
    await db().db.query('update statements set total_minor = total_minor + 1, paid_minor = paid_minor + 1 where id = $1', [w.statementId]);
    await db().db.query(`update actions set cleared_at = null where id = (select min(action_id) from statement_lines where statement_id = $1)`, [w.statementId]);
    await db().db.query(`update brand_payments set amount_minor = amount_minor + 5`);
    const found = await reconcile(db().db);
    expect(found.ok).toBe(false);
    expect(found.problems.join('\n')).toMatch(/statement ST-\d{6}-\d{6} \(\d+\) shows total \d+ over 9 line\(s\)/);
    expect(found.problems.join('\n')).toMatch(/is cleared but 1 of its actions are not/);
    expect(found.problems.join('\n')).toMatch(/payments recorded sum to \d+, the ledger's BRAND_PAID to \d+/);
    await expect(reconcileJob.run(w.ctx)).rejects.toThrow(/Reconcile found 3 problem\(s\)/);
  });
});

import { beforeEach, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/core/context.js';
import { applyActionOperation } from '../../src/modules/actions/apply-action-operation.js';
import { checkLedger } from '../../src/modules/ledger/check-ledger.js';
import { makeActionWorld } from '../support/action-helpers.js';
import { makeSaleAction } from '../support/actions.js';
import { describeDb } from '../support/db.js';

// The ledger and the lock job's tables keep no foreign keys (migration 0003-hot-paths): the check
// is what notices a broken reference, so each kind of damage must be reported.
describeDb('ledger check', (db) => {
  let ctx: ServiceContext;

  beforeEach(async () => {
    ctx = { db: db().db, clock: db().clock };
    const { brand, partner, program } = await makeActionWorld(ctx, db().clock);
    const actionId = await makeSaleAction(ctx, brand, partner, program, { amount: '80.00' });
    await applyActionOperation(ctx, brand.actor, [actionId], { op: 'APPROVE' });
  });

  const accounts = async () =>
    (await ctx.db.query<{ id: number; code: string }>('select id, code from ledger_accounts order by id')).rows;

  it('passes on a ledger the services wrote', async () => {
    expect(await checkLedger(ctx.db)).toMatchObject({ ok: true, problems: [], transfers: 1 });
  });

  it('reports a transfer to an account that does not exist', async () => {
    const [debit] = await accounts();
    await ctx.db.query(
      `insert into ledger_transfers (debit_account_id, credit_account_id, amount_minor, currency, kind, at)
       values ($1, 999999, 5, 'USD', 'TEST', now())`,
      [debit!.id],
    );
    const check = await checkLedger(ctx.db);
    expect(check.ok).toBe(false);
    expect(check.problems).toContainEqual(expect.stringMatching(/^transfer \d+ is not a balanced posting between existing accounts/));
  });

  it('reports a transfer and a modification whose action does not exist', async () => {
    const [debit, credit] = await accounts();
    await ctx.db.query(
      `insert into ledger_transfers (debit_account_id, credit_account_id, amount_minor, currency, kind, action_id, at)
       values ($1, $2, 5, 'USD', 'TEST', 987654321, now())`,
      [debit!.id, credit!.id],
    );
    await ctx.db.query(
      `update ledger_accounts set debits_posted_minor = debits_posted_minor + case when id = $1 then 5 else 0 end,
                                  credits_posted_minor = credits_posted_minor + case when id = $2 then 5 else 0 end
        where id in ($1, $2)`,
      [debit!.id, credit!.id],
    );
    await ctx.db.query(
      `insert into action_modifications (action_id, seq, at, actor_kind, operation, state_after, amount_after_minor, payout_after_minor)
       values (987654322, 1, now(), 'SYSTEM', 'LOCK', 'APPROVED', 0, 0)`,
    );
    const check = await checkLedger(ctx.db);
    expect(check.problems).toEqual([
      expect.stringMatching(/^transfer \d+ refers to action 987654321, which does not exist$/),
      'modification 987654322/1 refers to action 987654322, which does not exist',
    ]);
  });

  it('reports a balance that differs from its transfers', async () => {
    const [debit] = await accounts();
    await ctx.db.query('update ledger_accounts set debits_posted_minor = debits_posted_minor + 1 where id = $1', [debit!.id]);
    const check = await checkLedger(ctx.db);
    expect(check.ok).toBe(false);
    expect(check.problems.some((p) => p.startsWith(`ledger account ${debit!.id} (`))).toBe(true);
    expect(check.problems.some((p) => p.startsWith('USD: total debits'))).toBe(true);
  });
});

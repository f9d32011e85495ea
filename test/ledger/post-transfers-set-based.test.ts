import { expect, it } from 'vitest';
import type { Sql } from '../../src/db/types.js';
import { checkLedger } from '../../src/modules/ledger/check-ledger.js';
import { postTransfersSetBased, type SetBasedPosting } from '../../src/modules/ledger/post-transfers-set-based.js';
import { makeAccount } from '../support/app.js';
import { describeDb } from '../support/db.js';

const AT = new Date('2026-01-15T12:00:00Z');

/** Rows given as arrays, the shape a caller's own statement would produce. */
function fromArrays(rows: Array<{ amount: bigint; currency: string; debitOwner: number; creditOwner: number }>): SetBasedPosting['source'] {
  return {
    with: '',
    rows: `(select null::bigint as action_id, s.amount as amount_minor, s.currency, s.d as debit_owner, s.c as credit_owner
              from unnest($1::bigint[], $2::text[], $3::int[], $4::int[]) as s(amount, currency, d, c))`,
    params: [rows.map((r) => r.amount.toString()), rows.map((r) => r.currency), rows.map((r) => r.debitOwner), rows.map((r) => r.creditOwner)],
  };
}

async function balances(sql: Sql) {
  const { rows } = await sql.query<{ code: string; owner: number; currency: string; d: bigint; c: bigint }>(
    `select code, owner_account_id as owner, currency, debits_posted_minor as d, credits_posted_minor as c
       from ledger_accounts order by code, owner_account_id, currency`,
  );
  return rows.map((row) => `${row.code} ${row.owner} ${row.currency} ${row.d}/${row.c}`);
}

describeDb('set-based ledger postings', (ctx) => {
  it('posts many transfers in one statement and adds them to the balances (clearing: payment pending → available)', async () => {
    const { db, clock } = ctx();
    const a = await makeAccount({ db, clock }, 'PARTNER');
    const b = await makeAccount({ db, clock }, 'PARTNER');
    const rows = [
      { amount: 500n, currency: 'USD', debitOwner: a.id, creditOwner: a.id },
      { amount: 250n, currency: 'USD', debitOwner: a.id, creditOwner: a.id },
      { amount: 0n, currency: 'USD', debitOwner: b.id, creditOwner: b.id },
      { amount: 70n, currency: 'EUR', debitOwner: b.id, creditOwner: b.id },
    ];
    const result = await db.transaction((tx) =>
      postTransfersSetBased(tx, {
        kind: 'ACTION_CLEARED',
        debit: 'PARTNER_PAYMENT_PENDING',
        credit: 'PARTNER_AVAILABLE',
        at: AT,
        owners: rows,
        source: fromArrays(rows),
      }),
    );
    // The row of 0 posts nothing.
    expect(result).toEqual({ transfers: 3 });
    expect(await balances(db)).toEqual([
      `PARTNER_AVAILABLE ${a.id} USD 0/750`,
      `PARTNER_AVAILABLE ${b.id} EUR 0/70`,
      `PARTNER_AVAILABLE ${b.id} USD 0/0`,
      `PARTNER_PAYMENT_PENDING ${a.id} USD 750/0`,
      `PARTNER_PAYMENT_PENDING ${b.id} EUR 70/0`,
      `PARTNER_PAYMENT_PENDING ${b.id} USD 0/0`,
    ]);
    const { rows: transfers } = await db.query<{ kind: string; at: Date; currency: string; amount: bigint }>(
      'select kind, at, currency, amount_minor as amount from ledger_transfers order by amount_minor',
    );
    expect(transfers).toEqual([
      { kind: 'ACTION_CLEARED', at: AT, currency: 'EUR', amount: 70n },
      { kind: 'ACTION_CLEARED', at: AT, currency: 'USD', amount: 250n },
      { kind: 'ACTION_CLEARED', at: AT, currency: 'USD', amount: 500n },
    ]);
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('fails the whole posting, keeping nothing, when a row names an account it was not told about or a negative amount', async () => {
    const { db, clock } = ctx();
    const brand = await makeAccount({ db, clock }, 'BRAND');
    const partner = await makeAccount({ db, clock }, 'PARTNER');
    const stranger = await makeAccount({ db, clock }, 'PARTNER');
    const posting = (rows: Parameters<typeof fromArrays>[0], owners = rows): SetBasedPosting => ({
      kind: 'ACTION_LOCKED',
      debit: 'BRAND_PAYABLE',
      credit: 'PARTNER_PAYMENT_PENDING',
      at: AT,
      owners,
      source: fromArrays(rows),
    });
    const good = { amount: 100n, currency: 'USD', debitOwner: brand.id, creditOwner: partner.id };
    const unlisted = { amount: 100n, currency: 'USD', debitOwner: brand.id, creditOwner: stranger.id };
    await expect(db.transaction((tx) => postTransfersSetBased(tx, posting([good, unlisted], [good])))).rejects.toThrow(/null value/);
    await expect(db.transaction((tx) => postTransfersSetBased(tx, posting([good, { ...good, amount: -5n }])))).rejects.toThrow(/check constraint/);
    expect((await db.query('select id from ledger_transfers')).rows).toEqual([]);
    expect((await checkLedger(db)).ok).toBe(true);
  });

  it('refuses an unknown account code, and a transfer from an account to itself', async () => {
    const { db, clock } = ctx();
    const partner = await makeAccount({ db, clock }, 'PARTNER');
    const base = { kind: 'X', at: AT, owners: [], source: fromArrays([]) };
    await expect(
      db.transaction((tx) => postTransfersSetBased(tx, { ...base, debit: "BRAND_PAYABLE' or '1'='1" as never, credit: 'PARTNER_AVAILABLE' })),
    ).rejects.toThrow(/is not a ledger account code/);
    const self = [{ amount: 1n, currency: 'USD', debitOwner: partner.id, creditOwner: partner.id }];
    await expect(
      db.transaction((tx) =>
        postTransfersSetBased(tx, { ...base, debit: 'PARTNER_AVAILABLE', credit: 'PARTNER_AVAILABLE', owners: self, source: fromArrays(self) }),
      ),
    ).rejects.toThrow(/check constraint/);
    expect((await db.query('select id from ledger_transfers')).rows).toEqual([]);
  });
});

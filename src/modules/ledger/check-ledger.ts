import type { Sql } from '../../db/types.js';

export interface LedgerCheck {
  ok: boolean;
  problems: string[];
  transfers: number;
}

/**
 * Re-derives the ledger from its transfers: every transfer is between two distinct
 * existing accounts of its own currency with a positive amount, every transfer and every
 * action modification refers to an existing action (these hot tables keep no foreign
 * keys: migration 0003-hot-paths), and each account's posted debits and credits equal the sums of
 * its transfers. Run by tests and by `lockstep check-ledger`.
 */
export async function checkLedger(sql: Sql): Promise<LedgerCheck> {
  const problems: string[] = [];
  const bad = await sql.query<{ id: bigint }>(
    `select t.id from ledger_transfers t
       left join ledger_accounts d on d.id = t.debit_account_id
       left join ledger_accounts c on c.id = t.credit_account_id
      where t.amount_minor <= 0 or d.id is null or c.id is null
         or d.currency <> t.currency or c.currency <> t.currency or d.id = c.id
      limit 20`,
  );
  for (const row of bad.rows) problems.push(`transfer ${row.id} is not a balanced posting between existing accounts of its currency`);
  const orphans = await sql.query<{ kind: string; id: string; action_id: bigint }>(
    `(select 'transfer' as kind, t.id::text as id, t.action_id from ledger_transfers t
       where t.action_id is not null and not exists (select 1 from actions a where a.id = t.action_id) limit 20)
     union all
     (select 'modification', m.action_id || '/' || m.seq, m.action_id from action_modifications m
       where not exists (select 1 from actions a where a.id = m.action_id) limit 20)`,
  );
  for (const row of orphans.rows) problems.push(`${row.kind} ${row.id} refers to action ${row.action_id}, which does not exist`);
  // One pass over the transfers (no per-account index is kept: postings are written far
  // more often than they are re-derived).
  const drift = await sql.query<{ id: number; code: string; posted_d: bigint; posted_c: bigint; sum_d: bigint; sum_c: bigint }>(
    `with sums as (
       select id, sum(d)::bigint as d, sum(c)::bigint as c from (
         select debit_account_id as id, amount_minor as d, 0::bigint as c from ledger_transfers
         union all
         select credit_account_id, 0, amount_minor from ledger_transfers
       ) t group by id
     )
     select la.id, la.code, la.debits_posted_minor as posted_d, la.credits_posted_minor as posted_c,
            coalesce(s.d, 0)::bigint as sum_d, coalesce(s.c, 0)::bigint as sum_c
       from ledger_accounts la left join sums s on s.id = la.id`,
  );
  for (const row of drift.rows) {
    if (row.posted_d !== row.sum_d || row.posted_c !== row.sum_c) {
      problems.push(
        `ledger account ${row.id} (${row.code}) shows debits ${row.posted_d}/credits ${row.posted_c} but its transfers sum to ${row.sum_d}/${row.sum_c}`,
      );
    }
  }
  const totals = await sql.query<{ currency: string; d: bigint; c: bigint }>(
    `select currency, sum(debits_posted_minor)::bigint as d, sum(credits_posted_minor)::bigint as c from ledger_accounts group by currency`,
  );
  for (const row of totals.rows) {
    if (row.d !== row.c) problems.push(`${row.currency}: total debits ${row.d} differ from total credits ${row.c}`);
  }
  const count = await sql.query<{ n: number }>('select count(*)::int as n from ledger_transfers');
  return { ok: problems.length === 0, problems, transfers: count.rows[0]!.n };
}

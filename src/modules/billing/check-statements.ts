import type { Sql } from '../../db/types.js';

/**
 * Re-derives the statements from their lines, corrections and payments: each statement's
 * total is its lines' payouts plus its corrections, its counts theirs, its paid amount is its payments' (never more than its
 * total), a paid-in-full statement's clearing left none of its actions uncleared, and
 * the ledger's brand payments equal the payments recorded, and each correction is posted
 * once when made and once when cleared, for its amount. Answers each drift found.
 */
export async function checkStatements(sql: Sql): Promise<string[]> {
  const problems: string[] = [];
  const { rows: drift } = await sql.query<{
    id: number;
    number: string;
    total: bigint;
    lines: bigint;
    count: number;
    n: number;
    corrections: number;
    cn: number;
    paid: bigint;
    payments: bigint;
  }>(
    `select s.id, s.number, s.total_minor as total, (coalesce(l.total, 0) + coalesce(c.total, 0))::bigint as lines, s.line_count as count,
            coalesce(l.n, 0)::int as n, s.correction_count as corrections, coalesce(c.n, 0)::int as cn,
            s.paid_minor as paid, coalesce(p.total, 0)::bigint as payments
       from statements s
       left join (select statement_id, sum(payout_minor) as total, count(*) as n from statement_lines group by statement_id) l on l.statement_id = s.id
       left join (select statement_id, sum(amount_minor) as total, count(*) as n from action_corrections where statement_id is not null
                   group by statement_id) c on c.statement_id = s.id
       left join (select statement_id, sum(amount_minor) as total from brand_payments group by statement_id) p on p.statement_id = s.id
      where s.total_minor <> coalesce(l.total, 0) + coalesce(c.total, 0) or s.line_count <> coalesce(l.n, 0)
         or s.correction_count <> coalesce(c.n, 0) or s.paid_minor <> coalesce(p.total, 0)
      order by s.id limit 20`,
  );
  for (const row of drift) {
    problems.push(
      `statement ${row.number} (${row.id}) shows total ${row.total} over ${row.count} line(s) and ${row.corrections} correction(s) and ${row.paid} paid, ` +
        `but its lines and corrections sum to ${row.lines} over ${row.n} and ${row.cn} and its payments to ${row.payments}`,
    );
  }
  // Each correction is posted once when made (its signed amount from the brand's payable to
  // the partner's payment pending) and once more when its statement clears (to available).
  const { rows: postings } = await sql.query<{ id: bigint; amount: bigint; made: bigint; cleared: bigint; clearedAt: Date | null }>(
    `select c.id, c.amount_minor as amount, c.cleared_at as "clearedAt",
            coalesce(sum(case when t.kind = 'ACTION_CORRECTED' then case when cr.code = 'PARTNER_PAYMENT_PENDING' then t.amount_minor else -t.amount_minor end end), 0)::bigint as made,
            coalesce(sum(case when t.kind = 'CORRECTION_CLEARED' then case when cr.code = 'PARTNER_AVAILABLE' then t.amount_minor else -t.amount_minor end end), 0)::bigint as cleared
       from action_corrections c
       left join ledger_transfers t on t.reference = 'correction:' || c.id
       left join ledger_accounts cr on cr.id = t.credit_account_id
      group by c.id
     having coalesce(sum(case when t.kind = 'ACTION_CORRECTED' then case when cr.code = 'PARTNER_PAYMENT_PENDING' then t.amount_minor else -t.amount_minor end end), 0) <> c.amount_minor
         or coalesce(sum(case when t.kind = 'CORRECTION_CLEARED' then case when cr.code = 'PARTNER_AVAILABLE' then t.amount_minor else -t.amount_minor end end), 0)
            <> case when c.cleared_at is null then 0 else c.amount_minor end
      order by c.id limit 20`,
  );
  for (const row of postings) {
    problems.push(
      `correction ${row.id} of ${row.amount} is posted ${row.made} when made and ${row.cleared} when cleared ` +
        `(expected ${row.amount} and ${row.clearedAt === null ? 0 : row.amount})`,
    );
  }
  const { rows: orphans } = await sql.query<{ statementId: number; n: number }>(
    `select l.statement_id as "statementId", count(*)::int as n from statement_lines l
      where not exists (select 1 from statements s where s.id = l.statement_id) group by l.statement_id order by 1 limit 20`,
  );
  for (const row of orphans) problems.push(`${row.n} statement line(s) name statement ${row.statementId}, which does not exist`);
  const { rows: uncleared } = await sql.query<{ number: string; n: number }>(
    `select s.number, count(*)::int as n from statements s join statement_lines l on l.statement_id = s.id join actions a on a.id = l.action_id
      where s.cleared_at is not null and a.cleared_at is null group by s.number order by s.number limit 20`,
  );
  for (const row of uncleared) problems.push(`statement ${row.number} is cleared but ${row.n} of its actions are not`);
  const { rows: unclearedCorrections } = await sql.query<{ number: string; n: number }>(
    `select s.number, count(*)::int as n from statements s join action_corrections c on c.statement_id = s.id
      where s.cleared_at is not null and c.cleared_at is null group by s.number order by s.number limit 20`,
  );
  for (const row of unclearedCorrections) problems.push(`statement ${row.number} is cleared but ${row.n} of its corrections are not`);
  const { rows: ledger } = await sql.query<{ brand: number; currency: string; recorded: bigint; posted: bigint }>(
    `select coalesce(p.brand, l.brand) as brand, coalesce(p.currency, l.currency) as currency,
            coalesce(p.total, 0)::bigint as recorded, coalesce(l.total, 0)::bigint as posted
       from (select brand_account_id as brand, currency, sum(amount_minor) as total from brand_payments group by 1, 2) p
       full join (select owner_account_id as brand, currency, debits_posted_minor - credits_posted_minor as total
                    from ledger_accounts where code = 'BRAND_PAID') l on l.brand = p.brand and l.currency = p.currency
      where coalesce(p.total, 0) <> coalesce(l.total, 0)
      limit 20`,
  );
  for (const row of ledger) {
    problems.push(`brand ${row.brand} (${row.currency}): payments recorded sum to ${row.recorded}, the ledger's BRAND_PAID to ${row.posted}`);
  }
  return problems;
}

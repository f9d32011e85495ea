/**
 * Performance for the charts on Home (issue 16 item 5): actions, sale amounts and payouts
 * per day, per partner (brands) and per brand (partners). Read-only sums over `actions`,
 * never across accounts: a brand reads its own programs' actions, a partner its own.
 * Reversed actions are left out (they pay nothing); pending and approved ones count.
 * Days are calendar days in the time zone the caller names (the account's), so a day of
 * the chart is the day the Pending Payouts date filter shows for it.
 */
import type { Sql } from '../../db/types.js';
import type { AccountActor } from '../accounts/actor.js';

export interface PerformanceRange {
  /** First and last day (YYYY-MM-DD), both included, in `timeZone`. */
  from: string;
  to: string;
  timeZone: string;
  programId?: number;
}

export interface DailyRow {
  day: string;
  programId: number;
  programName: string;
  currency: string;
  actions: number;
  amountMinor: bigint;
  payoutMinor: bigint;
}

export interface PartyRow {
  accountId: number;
  name: string;
  currency: string;
  actions: number;
  amountMinor: bigint;
  payoutMinor: bigint;
}

/** The caller's side of `actions` (a) and the range, as SQL with its parameters. */
function whereOf(actor: AccountActor, range: PerformanceRange, params: unknown[]): { where: string; tz: string } {
  const own = actor.accountKind === 'BRAND' ? 'a.brand_account_id' : 'a.partner_account_id';
  const tz = `$${params.push(range.timeZone)}`;
  const where = [
    `${own} = $${params.push(actor.accountId)}`,
    `a.state <> 'REVERSED'`,
    `a.event_at >= ($${params.push(range.from)}::date)::timestamp at time zone ${tz}`,
    `a.event_at < ($${params.push(range.to)}::date + 1)::timestamp at time zone ${tz}`,
  ];
  if (range.programId !== undefined) where.push(`a.program_id = $${params.push(range.programId)}`);
  return { where: where.join(' and '), tz };
}

type Summed<T> = Omit<T, 'amountMinor' | 'payoutMinor'> & { amountMinor: string; payoutMinor: string };

const sums = (row: { amountMinor: string; payoutMinor: string }) => ({ amountMinor: BigInt(row.amountMinor), payoutMinor: BigInt(row.payoutMinor) });

/** Per day and program (each program has one currency): the days with actions only. */
export async function dailyPerformance(sql: Sql, actor: AccountActor, range: PerformanceRange): Promise<DailyRow[]> {
  const params: unknown[] = [];
  const { where, tz } = whereOf(actor, range, params);
  const { rows } = await sql.query<Summed<DailyRow>>(
    `select to_char((a.event_at at time zone ${tz})::date, 'YYYY-MM-DD') as day, a.program_id as "programId", p.name as "programName",
            a.currency, count(*)::int as actions, sum(a.amount_minor)::text as "amountMinor", sum(a.payout_minor)::text as "payoutMinor"
       from actions a join programs p on p.id = a.program_id
      where ${where}
      group by 1, a.program_id, p.name, a.currency
      order by 1, p.name, a.program_id`,
    params,
  );
  return rows.map((row) => ({ ...row, ...sums(row) }));
}

/**
 * The other side of the caller's actions (a brand's partners, a partner's brands) by
 * payout, the highest first within each currency, at most `limit` per currency.
 */
export async function performanceByCounterparty(sql: Sql, actor: AccountActor, range: PerformanceRange, limit: number): Promise<PartyRow[]> {
  const params: unknown[] = [];
  const { where } = whereOf(actor, range, params);
  const other = actor.accountKind === 'BRAND' ? 'a.partner_account_id' : 'a.brand_account_id';
  const { rows } = await sql.query<Summed<PartyRow>>(
    `select "accountId", name, currency, actions, "amountMinor", "payoutMinor" from (
       select ${other} as "accountId", o.name, a.currency, count(*)::int as actions,
              sum(a.amount_minor)::text as "amountMinor", sum(a.payout_minor)::text as "payoutMinor",
              row_number() over (partition by a.currency order by sum(a.payout_minor) desc, ${other}) as rank
         from actions a join accounts o on o.id = ${other}
        where ${where}
        group by ${other}, o.name, a.currency
     ) ranked
     where rank <= $${params.push(limit)}
     order by currency, rank`,
    params,
  );
  return rows.map((row) => ({ ...row, ...sums(row) }));
}

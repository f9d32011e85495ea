import type { Page } from '../../core/paging.js';
import type { Sql } from '../../db/types.js';
import type { MovementType } from './types.js';

/** A transfer's kind as a movement type (the kinds the postings write). */
const TYPE_SQL = `case t.kind
  when 'STATEMENT_CLEARED' then 'PAYMENT_RECEIVED'
  when 'CORRECTION_CLEARED' then 'CORRECTION'
  when 'PAYSTUB' then 'WITHDRAWAL'
  when 'PAYSTUB_FEE' then 'FEE'
  when 'PAYSTUB_RETURNED' then 'WITHDRAWAL_RETURNED'
  when 'PAYSTUB_FEE_RETURNED' then 'FEE_RETURNED'
  when 'FORFEIT' then 'FORFEIT'
  else 'OTHER' end`;

export interface BalanceMovement {
  transferId: bigint;
  at: Date;
  type: MovementType;
  currency: string;
  /** Signed: what the movement added to the available balance. */
  amountMinor: bigint;
  /** The available balance in the currency after it. */
  balanceMinor: bigint;
  /** What it belongs to: `statement:12`, `paystub:7`, `correction:3`, `forfeit:2`. */
  reference: string | null;
  /** The statement's number, for a statement's clearing. */
  statementNumber: string | null;
  actionId: bigint | null;
}

export interface MovementFilter {
  currency?: string;
  types?: readonly MovementType[];
  from?: Date;
  to?: Date;
  order?: 'asc' | 'desc';
}

/**
 * A partner's available balance, movement by movement in each currency: every ledger
 * transfer into or out of its PARTNER_AVAILABLE accounts (payments received when a
 * statement clears, corrections cleared, withdrawals and their fees, returned paystubs,
 * forfeits), with the running balance after each. The running balance is summed over all
 * of the account's movements before the filter applies, so a filtered page shows the
 * balance as it was. Read through the movements' indexes (migration 0012), which leave out
 * the lock transfers (those never touch available).
 */
function movementsQuery(ownerAccountId: number, filter: MovementFilter, beyondId?: bigint): { sql: string; params: unknown[] } {
  const params: unknown[] = [ownerAccountId];
  const accountWhere = ['la.code = \'PARTNER_AVAILABLE\'', 'la.owner_account_id = $1'];
  if (filter.currency) {
    params.push(filter.currency);
    accountWhere.push(`la.currency = $${params.length}`);
  }
  const where: string[] = [];
  if (filter.types && filter.types.length > 0) {
    params.push(filter.types);
    where.push(`m.type = any($${params.length}::text[])`);
  }
  if (filter.from) {
    params.push(filter.from);
    where.push(`m.at >= $${params.length}`);
  }
  if (filter.to) {
    params.push(filter.to);
    where.push(`m.at < $${params.length}`);
  }
  if (beyondId !== undefined) {
    params.push(beyondId.toString());
    where.push(`m.id ${filter.order === 'asc' ? '>' : '<'} $${params.length}::bigint`);
  }
  const sql = `with acct as (select la.id, la.currency from ledger_accounts la where ${accountWhere.join(' and ')}),
    moves as (
      select t.id, t.at, t.kind, t.reference, t.action_id, a.currency, t.amount_minor as amount
        from acct a join ledger_transfers t on t.credit_account_id = a.id and t.kind <> 'ACTION_LOCKED'
      union all
      select t.id, t.at, t.kind, t.reference, t.action_id, a.currency, -t.amount_minor
        from acct a join ledger_transfers t on t.debit_account_id = a.id and t.kind <> 'ACTION_LOCKED'
    ),
    m as (
      select t.id, t.at, ${TYPE_SQL} as type, t.currency, t.amount, t.reference, t.action_id,
             sum(t.amount) over (partition by t.currency order by t.id)::bigint as balance
        from moves t
    )
    select m.id as "transferId", m.at, m.type, m.currency, m.amount as "amountMinor", m.balance as "balanceMinor", m.reference,
           s.number as "statementNumber", m.action_id as "actionId"
      from m left join statements s on m.reference like 'statement:%' and s.id::text = substring(m.reference from 11)
     ${where.length ? `where ${where.join(' and ')}` : ''}`;
  return { sql, params };
}

export async function listBalanceMovements(
  sql: Sql,
  ownerAccountId: number,
  filter: MovementFilter & { page: number; pageSize: number },
): Promise<Page<BalanceMovement>> {
  const { sql: text, params } = movementsQuery(ownerAccountId, filter);
  const { rows: count } = await sql.query<{ n: number }>(`select count(*)::int as n from (${text}) counted`, params);
  const order = filter.order === 'asc' ? 'asc' : 'desc';
  const { rows } = await sql.query<BalanceMovement>(
    `${text} order by m.id ${order} limit $${params.length + 1} offset $${params.length + 2}`,
    [...params, filter.pageSize, (filter.page - 1) * filter.pageSize],
  );
  return { items: rows, page: filter.page, pageSize: filter.pageSize, total: count[0]!.n };
}

/** Every movement the filter keeps, in pages of 2,000, for a download. */
export async function* exportBalanceMovements(sql: Sql, ownerAccountId: number, filter: MovementFilter): AsyncGenerator<BalanceMovement[]> {
  let beyond: bigint | undefined;
  for (;;) {
    const { sql: text, params } = movementsQuery(ownerAccountId, filter, beyond);
    const { rows } = await sql.query<BalanceMovement>(`${text} order by m.id ${filter.order === 'asc' ? 'asc' : 'desc'} limit 2000`, params);
    if (rows.length > 0) yield rows;
    if (rows.length < 2000) return;
    beyond = rows[rows.length - 1]!.transferId;
  }
}

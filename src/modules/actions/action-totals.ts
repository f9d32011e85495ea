import type { Sql } from '../../db/types.js';
import type { AccountActor } from '../accounts/actor.js';

export interface ActionTotals {
  /** Payouts of pending actions: nothing is owed before an action locks, so this is an estimate. */
  pendingMinor: bigint;
  /** Payouts locked, past their payment date and not cleared: what the brand is late with (part of payment pending). */
  overdueMinor: bigint;
}

/**
 * What the balances page shows next to the ledger's figures, per currency, summed from
 * the actions themselves: pending payouts (not in the ledger before they lock) and the
 * overdue part of the locked ones (the ledger holds them as payment pending; being late
 * is a matter of their payment date).
 */
export async function actionTotals(sql: Sql, actor: AccountActor, now: Date): Promise<Map<string, ActionTotals>> {
  const column = actor.accountKind === 'BRAND' ? 'brand_account_id' : 'partner_account_id';
  const { rows } = await sql.query<{ currency: string; pending: bigint; overdue: bigint }>(
    `select currency,
            coalesce(sum(payout_minor) filter (where state = 'PENDING'), 0)::bigint as pending,
            coalesce(sum(payout_minor) filter (where state = 'APPROVED' and cleared_at is null and payment_due_at < $2), 0)::bigint as overdue
       from actions
      where ${column} = $1 and (state = 'PENDING' or (state = 'APPROVED' and cleared_at is null and payment_due_at < $2))
      group by currency`,
    [actor.accountId, now],
  );
  return new Map(rows.map((row) => [row.currency, { pendingMinor: row.pending, overdueMinor: row.overdue }]));
}

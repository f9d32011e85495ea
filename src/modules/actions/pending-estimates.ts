import type { Sql } from '../../db/types.js';
import type { AccountActor } from '../accounts/actor.js';

/**
 * Pending payouts per currency, the estimate the balances page shows next to the ledger's
 * figures: nothing is owed before an action locks, so it is not in the ledger, and is
 * summed from the actions themselves.
 */
export async function pendingEstimates(sql: Sql, actor: AccountActor): Promise<Map<string, bigint>> {
  const column = actor.accountKind === 'BRAND' ? 'brand_account_id' : 'partner_account_id';
  const { rows } = await sql.query<{ currency: string; total: bigint }>(
    `select currency, sum(payout_minor)::bigint as total from actions where ${column} = $1 and state = 'PENDING' group by currency`,
    [actor.accountId],
  );
  return new Map(rows.map((row) => [row.currency, row.total]));
}

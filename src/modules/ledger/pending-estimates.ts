import type { Sql } from '../../db/types.js';
import type { AccountActor } from '../accounts/actor.js';

/** Pending payouts per currency: not in the ledger yet (nothing is owed before the lock), so summed from actions. */
export async function pendingEstimates(sql: Sql, actor: AccountActor): Promise<Map<string, bigint>> {
  const column = actor.accountKind === 'BRAND' ? 'brand_account_id' : 'partner_account_id';
  const { rows } = await sql.query<{ currency: string; total: bigint }>(
    `select currency, sum(payout_minor)::bigint as total from actions where ${column} = $1 and state = 'PENDING' group by currency`,
    [actor.accountId],
  );
  return new Map(rows.map((row) => [row.currency, row.total]));
}

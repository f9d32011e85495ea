import type { Sql } from '../../db/types.js';
import { recordActionEvents } from './action-events.js';

/**
 * Clears locked actions: the brand has paid the statement they were billed on, so their
 * payouts are the partner's to withdraw (`ClearedDate`; the status detail reads
 * Approved/Paid). Only locked, uncleared actions change; each writes its action.cleared
 * event. Answers how many cleared. The ledger posting that makes the money available is
 * the caller's (the clearing flow posts one per partner and currency).
 */
export async function clearActions(tx: Sql, actionIds: readonly bigint[], now: Date): Promise<number> {
  if (actionIds.length === 0) return 0;
  const { rows } = await tx.query<{ id: bigint; currency: string }>(
    `update actions set cleared_at = $2, updated_at = $2
      where id = any($1::bigint[]) and state = 'APPROVED' and locked_at is not null and cleared_at is null
      returning id, currency`,
    [actionIds.map((id) => id.toString()), now],
  );
  await recordActionEvents(tx, rows.map((row) => ({ id: row.id, type: 'action.cleared' as const })), rows.map((row) => row.currency), now);
  return rows.length;
}

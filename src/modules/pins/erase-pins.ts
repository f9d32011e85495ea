import type { Sql } from '../../db/types.js';

/**
 * Erasure (account closure): the pins on the closed account's Home, and every pin of the
 * users whose data is erased, go (a pin's title is text its user typed).
 */
export async function deletePinsOfClosedAccount(tx: Sql, accountId: number, userIds: readonly number[]): Promise<void> {
  await tx.query('delete from report_pins where account_id = $1 or user_id = any($2::int[])', [accountId, [...userIds]]);
}

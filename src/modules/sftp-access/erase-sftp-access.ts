/**
 * A closed account's SFTP login (account closure's erase step, src/flows/close-account.ts):
 * its password hash and keys are dropped, and the keys' labels, which are often a person's
 * `user@host`, erased. A closed account is refused at login anyway; this leaves nothing that
 * could log in should the account be reopened by hand, nor a name in the rows kept.
 */
import type { Sql } from '../../db/types.js';

export async function eraseSftpAccessOfClosedAccount(tx: Sql, accountId: number, now: Date): Promise<void> {
  await tx.query('update sftp_accounts set password_hash = null, password_set_at = $2, password_set_by = null where account_id = $1', [accountId, now]);
  await tx.query(`update sftp_keys set removed_at = coalesce(removed_at, $2), label = '' where account_id = $1`, [accountId, now]);
}

/**
 * Deleting a file from an SFTP folder: the file leaves the folder's listing (with its
 * receipt and result), and its batch stays as it is: what a file changed is kept, and its
 * outcomes stay in Transactions → Returns batches. Sending the same bytes again brings it
 * back (they are the same batch, which is not applied twice).
 */
import type { Sql } from '../../db/types.js';

export async function hideSftpBatch(sql: Sql, accountId: number, batchId: bigint, now: Date): Promise<void> {
  await sql.query(
    `insert into sftp_hidden_batches (batch_id, account_id, hidden_at)
     select b.id, b.brand_account_id, $3 from returns_batches b where b.id = $1 and b.brand_account_id = $2
     on conflict (batch_id) do nothing`,
    [batchId.toString(), accountId, now],
  );
}

export async function showSftpBatch(sql: Sql, accountId: number, batchId: bigint): Promise<void> {
  await sql.query('delete from sftp_hidden_batches where batch_id = $1 and account_id = $2', [batchId.toString(), accountId]);
}

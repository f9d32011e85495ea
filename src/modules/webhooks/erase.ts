import { scrubColumn } from '../../db/scrub.js';
import type { Sql } from '../../db/types.js';

/**
 * Webhooks and account closure: a closed account's endpoints are deleted (disabled, their
 * URL and description, which its users typed, erased, what waited for them given up), and the receivers' answers kept in the
 * delivery log of any endpoint (a receiver may echo what it was sent) no longer hold the
 * account's personal values for the events that concerned it. The bodies themselves are
 * not stored: each attempt builds its body from the outbox event, which is scrubbed too.
 */
export async function eraseWebhooksOfClosedAccount(tx: Sql, input: { accountId: number; values: readonly string[] }, now: Date): Promise<void> {
  await tx.query(
    `update webhook_deliveries set state = 'FAILED', last_error = 'The account was closed.', leased_until = null
      where state = 'PENDING' and endpoint_id in (select id from webhook_endpoints where account_id = $1)`,
    [input.accountId],
  );
  await tx.query(
    `update webhook_endpoints set deleted_at = coalesce(deleted_at, $2), enabled = false, updated_at = $2, previous_secret_encrypted = null,
            url = 'https://erased.invalid/', description = ''
      where account_id = $1`,
    [input.accountId, now],
  );
  const concerning = `event_id in (select id from outbox_events where $3 = any(account_ids))`;
  for (const column of ['last_response', 'last_error']) {
    await scrubColumn(tx, { table: 'webhook_deliveries', column, where: concerning, params: [input.accountId], values: input.values });
  }
  for (const column of ['response', 'error']) {
    await scrubColumn(tx, {
      table: 'webhook_attempts',
      column,
      where: `delivery_id in (select id from webhook_deliveries where ${concerning})`,
      params: [input.accountId],
      values: input.values,
    });
  }
}

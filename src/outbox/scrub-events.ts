import { scrubColumn } from '../db/scrub.js';
import type { Sql } from '../db/types.js';

/**
 * Erasure in the outbox: the events that concern a closed account (its actions' and
 * contracts' payloads name it) no longer hold its personal values. Their ids, types and
 * the rest of their payloads stay, so a reader's cursor and completion work as before.
 */
export async function scrubOutboxEvents(tx: Sql, input: { accountId: number; values: readonly string[] }): Promise<number> {
  return scrubColumn(tx, { table: 'outbox_events', column: 'payload', jsonb: true, where: '$3 = any(account_ids)', params: [input.accountId], values: input.values });
}

import type { Sql } from '../../db/types.js';
import { recordResourceEvents } from '../../outbox/resources.js';

/**
 * A ticket changed (opened, a reply either way, in review, rejected, resolved): one
 * `ticket.updated` event in the change's transaction, the ticket as the API returns it,
 * for every account it names (webhooks, src/modules/webhooks).
 */
export async function recordTicketUpdated(tx: Sql, ticketId: bigint, now: Date): Promise<void> {
  await recordResourceEvents(tx, 'ticket', [{ id: ticketId, type: 'ticket.updated' }], now);
}

import { ERASED, scrubColumn } from '../../db/scrub.js';
import type { Sql } from '../../db/types.js';

/**
 * Erasure in the tickets of a closed account (its own and those naming it): the personal
 * values in their subjects, outcomes and messages (every message of those tickets, and any message
 * by an erased user elsewhere) give way to ERASED, and their attachments (documents a
 * partner sent: identity papers, bank letters) are deleted. The tickets, their types,
 * statuses and outcomes stay: what was asked and what was done.
 */
export async function eraseTicketPersonalData(tx: Sql, input: { accountId: number; userIds: readonly number[]; values: readonly string[] }): Promise<void> {
  const ticketsOf = (param: string) => `select id from tickets where account_id = ${param} union select ticket_id from ticket_accounts where account_id = ${param}`;
  const tickets = ticketsOf('$3');
  for (const column of ['subject', 'outcome']) {
    await scrubColumn(tx, { table: 'tickets', column, where: `id in (${tickets})`, params: [input.accountId], values: input.values });
  }
  await scrubColumn(tx, {
    table: 'ticket_messages',
    column: 'body',
    where: `ticket_id in (${tickets}) or author_user_id = any($4::int[])`,
    params: [input.accountId, input.userIds],
    values: input.values,
  });
  await tx.query(
    `update ticket_attachments set bytes = ''::bytea, size_bytes = 0, file_name = $1, sha256 = ''
      where message_id in (select id from ticket_messages where ticket_id in (${ticketsOf('$2')})) and size_bytes > 0`,
    [ERASED, input.accountId],
  );
}

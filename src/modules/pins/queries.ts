import { notFound } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import type { Pin, PinOwner } from './types.js';

export const PIN_COLUMNS = `id, account_id as "accountId", user_id as "userId", report, title, filters, display, link, position,
  created_at as "createdAt"`;

/** The owner's pins in their order on Home. */
export async function listPins(sql: Sql, owner: PinOwner): Promise<Pin[]> {
  const { rows } = await sql.query<Pin>(
    `select ${PIN_COLUMNS} from report_pins where user_id = $1 and account_id = $2 order by position, id`,
    [owner.userId, owner.accountId],
  );
  return rows;
}

/** One of the owner's pins; anyone else's (another user's of the same account too) is not found. */
export async function getPinOrThrow(sql: Sql, owner: PinOwner, id: number): Promise<Pin> {
  const { rows } = await sql.query<Pin>(`select ${PIN_COLUMNS} from report_pins where id = $1 and user_id = $2 and account_id = $3`, [
    id,
    owner.userId,
    owner.accountId,
  ]);
  if (!rows[0]) throw notFound(`Pin ${id} is not one of your pins on this account's Home.`);
  return rows[0];
}

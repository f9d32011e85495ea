import type { Db } from '../../db/types.js';
import { getPinOrThrow } from './queries.js';
import type { Pin, PinOwner } from './types.js';

/** Takes a pin off the owner's Home (the report itself is untouched). */
export async function removePin(db: Db, owner: PinOwner, id: number): Promise<Pin> {
  return db.transaction(async (tx) => {
    const pin = await getPinOrThrow(tx, owner, id);
    await tx.query('delete from report_pins where id = $1 and user_id = $2 and account_id = $3', [id, owner.userId, owner.accountId]);
    return pin;
  });
}

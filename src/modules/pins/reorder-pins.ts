import { invalid } from '../../core/errors.js';
import type { Db } from '../../db/types.js';
import { getPinOrThrow, listPins } from './queries.js';
import type { Pin, PinOwner } from './types.js';

/**
 * Puts the owner's pins in the order given. The list names every pin of the owner once:
 * a pin that is not theirs is not found (404), a missing or repeated one is a 400, so an
 * order made from a stale list never drops a pin out of sight.
 */
export async function reorderPins(db: Db, owner: PinOwner, ids: readonly number[]): Promise<Pin[]> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`report-pins:${owner.userId}:${owner.accountId}`]);
    for (const id of new Set(ids)) await getPinOrThrow(tx, owner, id);
    const current = await listPins(tx, owner);
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    const missing = current.filter((pin) => !ids.includes(pin.id)).map((pin) => pin.id);
    if (repeated.length || missing.length) {
      throw invalid(
        `The order must name each of your ${current.length} pins once${missing.length ? `; missing: ${missing.join(', ')}` : ''}${
          repeated.length ? `; named twice: ${[...new Set(repeated)].join(', ')}` : ''
        }. Reload Home and try again.`,
        { errors: [{ field: 'body.Ids', message: 'each pin once' }] },
      );
    }
    for (const [index, id] of ids.entries()) {
      await tx.query('update report_pins set position = $2 where id = $1 and user_id = $3 and account_id = $4', [id, index + 1, owner.userId, owner.accountId]);
    }
    return listPins(tx, owner);
  });
}

import type { ServiceContext } from '../../core/context.js';
import { invalid, notFound } from '../../core/errors.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { MAX_USER_NAME_LENGTH } from './types.js';

/**
 * A logged-in user renames themselves (the user menu's Profile). The name is what the
 * account's other members and the histories show. The audit row says that it changed,
 * not the names (personal data stays out of the audit detail).
 */
export async function changeOwnName(ctx: ServiceContext, userId: number, rawName: string): Promise<{ id: number; email: string; name: string }> {
  const name = rawName.trim().replace(/\s+/g, ' ');
  const fail = (message: string) => invalid(message, { errors: [{ field: 'body.Name', message }] });
  if (!name) throw fail('Name: your name must not be empty.');
  if (name.length > MAX_USER_NAME_LENGTH) throw fail(`Name: your name must have at most ${MAX_USER_NAME_LENGTH} characters.`);
  return ctx.db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: number; email: string; name: string }>(
      'update users set name = $2 where id = $1 and disabled_at is null returning id, email, name',
      [userId, name],
    );
    if (!rows[0]) throw notFound('Your login no longer exists; log in again.');
    await recordAuditEvent(tx, { at: ctx.clock.now(), actorUserId: userId, accountId: null, action: 'user.name_changed', subject: `user:${userId}` });
    return rows[0];
  });
}

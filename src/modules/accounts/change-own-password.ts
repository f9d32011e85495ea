import type { ServiceContext } from '../../core/context.js';
import { hashPassword, sha256Hex, verifyPassword } from '../../core/crypto.js';
import { invalid } from '../../core/errors.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { claimAttemptOrThrow, forgetFailures, loginThrottleKey } from './auth-throttle.js';
import { DUMMY_HASH } from './log-in.js';
import { findUser } from './queries.js';
import { checkPasswordOrThrow } from './validation.js';

/**
 * A logged-in user changes their password, giving the current one: a session left open
 * on someone else's screen is not enough to take the login over. The current password is
 * checked and counted against the e-mail exactly as a log-in is (auth-throttle.ts), so it
 * is no second way to guess; a wrong one is a 400 naming CurrentPassword (the session
 * itself is fine). Every other session of the user ends (a thief's included); the one
 * that made the change stays.
 */
export async function changeOwnPassword(
  ctx: ServiceContext,
  input: { userId: number; currentPassword: string; newPassword: string; keepSessionSecret: string | undefined },
): Promise<{ endedSessions: number }> {
  const field = (name: 'CurrentPassword' | 'NewPassword', message: string) => invalid(message, { errors: [{ field: `body.${name}`, message }] });
  const user = await findUser(ctx.db, input.userId);
  if (!user || user.disabledAt) throw field('CurrentPassword', 'CurrentPassword: your login no longer exists; log in again.');
  try {
    checkPasswordOrThrow(input.newPassword);
  } catch (error) {
    throw field('NewPassword', `NewPassword: ${(error as Error).message}`);
  }
  const key = loginThrottleKey(user.email);
  await claimAttemptOrThrow(ctx, key);
  const ok = await verifyPassword(user.passwordHash ?? DUMMY_HASH, input.currentPassword);
  if (!user.passwordHash || !ok) throw field('CurrentPassword', 'CurrentPassword: the password is not right; enter the password you log in with now.');
  await forgetFailures(ctx, key);
  if (input.newPassword === input.currentPassword) throw field('NewPassword', 'NewPassword: the new password is the current one; choose another.');
  const hash = await hashPassword(input.newPassword);
  return ctx.db.transaction(async (tx) => {
    await tx.query('update users set password_hash = $2 where id = $1', [user.id, hash]);
    const ended = await tx.query('delete from sessions where user_id = $1 and id_hash <> $2', [user.id, input.keepSessionSecret ? sha256Hex(input.keepSessionSecret) : '']);
    await recordAuditEvent(tx, { at: ctx.clock.now(), actorUserId: user.id, accountId: null, action: 'user.password_changed', subject: `user:${user.id}` });
    return { endedSessions: ended.rowCount ?? 0 };
  });
}

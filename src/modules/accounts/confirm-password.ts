import type { ServiceContext } from '../../core/context.js';
import { verifyPassword } from '../../core/crypto.js';
import { invalid } from '../../core/errors.js';
import { claimAttemptOrThrow, forgetFailures, loginThrottleKey } from './auth-throttle.js';
import { findUser } from './queries.js';
import { DUMMY_HASH } from './log-in.js';

/**
 * Asks a logged-in user for their password again before a sensitive change (bank details):
 * a session left open on someone else's screen, or a stolen one, is not enough to redirect
 * a partner's money. The check is counted against the user's e-mail exactly as a log-in
 * is (auth-throttle.ts), so it offers no second way to guess a password; a success forgets
 * the failures. A wrong password is a 400 naming the Password field (not a 401: the
 * session itself is fine).
 */
export async function confirmPasswordOrThrow(ctx: ServiceContext, userId: number, password: string | undefined): Promise<void> {
  const fail = (message: string) => invalid(message, { errors: [{ field: 'body.Password', message }] });
  if (password === undefined || password === '') {
    throw fail('Password: enter your password again to change bank details.');
  }
  const user = await findUser(ctx.db, userId);
  if (!user) throw fail('Password: your login no longer exists; log in again.');
  const key = loginThrottleKey(user.email);
  await claimAttemptOrThrow(ctx, key);
  const ok = await verifyPassword(user.passwordHash ?? DUMMY_HASH, password);
  if (!user.passwordHash || !ok || user.disabledAt) throw fail('Password: the password is not right; enter the password you log in with.');
  await forgetFailures(ctx, key);
}

import type { ServiceContext } from '../../core/context.js';
import { randomSecret, sha256Hex, verifyPassword } from '../../core/crypto.js';
import { unauthorized } from '../../core/errors.js';
import { claimAttemptOrThrow, forgetFailures, loginThrottleKey } from './auth-throttle.js';
import { findUserByEmail } from './queries.js';

// Verifying against a real hash (same argon2id parameters as hashPassword's) even for
// unknown e-mails and logins without a password keeps the response time the same, so the
// login form does not reveal which e-mails have accounts.
export const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$SvaSLkIOsrSu2Qd1+kfnHA$vQtmbssbuaQeR/xvvfX88QjUAlJleELogguXtBv+uS0';

export interface StartedSession {
  sessionSecret: string;
  userId: number;
  expiresAt: Date;
}

/**
 * The attempt is counted against the e-mail before the password is checked (known and
 * unknown e-mails alike, see auth-throttle.ts); during a wait it is refused with a 429
 * and the password is not looked at. A success forgets the e-mail's failures.
 */
export async function logIn(
  ctx: ServiceContext,
  input: { email: string; password: string; ttlHours: number },
): Promise<StartedSession> {
  const throttleKey = loginThrottleKey(input.email);
  await claimAttemptOrThrow(ctx, throttleKey);
  const user = await findUserByEmail(ctx.db, input.email.trim());
  const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, input.password);
  if (!user?.passwordHash || !ok || user.disabledAt) {
    throw unauthorized('The e-mail or password is not right.');
  }
  await forgetFailures(ctx, throttleKey);
  return startSession(ctx, user.id, input.ttlHours);
}

export async function startSession(ctx: ServiceContext, userId: number, ttlHours: number): Promise<StartedSession> {
  const sessionSecret = randomSecret();
  const expiresAt = new Date(ctx.clock.now().getTime() + ttlHours * 3_600_000);
  await ctx.db.query(`insert into sessions (id_hash, user_id, created_at, expires_at) values ($1, $2, $3, $4)`, [
    sha256Hex(sessionSecret),
    userId,
    ctx.clock.now(),
    expiresAt,
  ]);
  return { sessionSecret, userId, expiresAt };
}

export async function logOut(ctx: ServiceContext, sessionSecret: string): Promise<void> {
  await ctx.db.query('delete from sessions where id_hash = $1', [sha256Hex(sessionSecret)]);
}

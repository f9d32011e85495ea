import type { ServiceContext } from '../../core/context.js';
import { sha256Hex } from '../../core/crypto.js';
import { forbidden } from '../../core/errors.js';
import type { AccountActor, Actor, AccountKind, Role } from './actor.js';
import { apiCredentialsThrottleKey, forgetFailures, recordFailure, retryAfterSeconds, throttledError } from './auth-throttle.js';

export interface SessionUser {
  userId: number;
  email: string;
  name: string;
  isOperator: boolean;
}

/** A live session's user, or undefined when the session is unknown, expired or its user disabled. */
export async function resolveSession(ctx: ServiceContext, sessionSecret: string): Promise<SessionUser | undefined> {
  const { rows } = await ctx.db.query<SessionUser>(
    `select u.id as "userId", u.email, u.name, u.is_operator as "isOperator"
       from sessions s join users u on u.id = s.user_id
      where s.id_hash = $1 and s.expires_at > $2 and u.disabled_at is null`,
    [sha256Hex(sessionSecret), ctx.clock.now()],
  );
  return rows[0];
}

/**
 * The actor for a session user acting for one account. Membership is read on every
 * request, so a removed user loses access at the next request, not at the next login.
 */
export async function actorForSession(
  ctx: ServiceContext,
  user: SessionUser,
  accountId: number | undefined,
): Promise<Actor> {
  if (user.isOperator) return { type: 'operator', userId: user.userId };
  const { rows } = await ctx.db.query<{ accountId: number; kind: AccountKind; role: Role; timeZone: string }>(
    `select a.id as "accountId", a.kind, m.role, a.time_zone as "timeZone"
       from memberships m join accounts a on a.id = m.account_id
      where m.user_id = $1 and a.status = 'ACTIVE' ${accountId === undefined ? '' : 'and a.id = $2'}
      order by a.id limit 2`,
    accountId === undefined ? [user.userId] : [user.userId, accountId],
  );
  if (accountId === undefined && rows.length > 1) {
    throw forbidden('You belong to several accounts; say which one with the Lockstep-Account header.');
  }
  const row = rows[0];
  if (!row) {
    throw forbidden(
      accountId === undefined ? 'You are not a member of any active account.' : `You are not a member of account ${accountId}.`,
    );
  }
  return {
    type: 'account',
    userId: user.userId,
    accountId: row.accountId,
    accountKind: row.kind,
    accountTimeZone: row.timeZone,
    role: row.role,
    via: 'session',
  };
}

/**
 * HTTP Basic credentials: the Account SID and an Auth Token. The token acts with the role
 * its creator has now; a token whose creator left the account was revoked with them.
 *
 * Failures are throttled per Account SID (auth-throttle.ts), known or not. The SID's wait
 * is read in the same statement as the token, and while it lasts the token is not looked
 * up at all: the answer is a 429 whether the token is right or not. A success costs no
 * write unless the SID has failures to forget.
 */
export async function actorForApiToken(
  ctx: ServiceContext,
  accountSid: string,
  authToken: string,
): Promise<AccountActor | undefined> {
  const throttleKey = apiCredentialsThrottleKey(accountSid);
  const now = ctx.clock.now();
  const { rows } = await ctx.db.query<{
    blockedUntil: Date | null;
    hasFailures: boolean;
    tokenId: number | null;
    accountId: number;
    kind: AccountKind;
    role: Role;
    userId: number;
    timeZone: string;
  }>(
    `select th.blocked_until as "blockedUntil", th.key_hash is not null as "hasFailures", tok.*
       from (select 1) one
       left join auth_throttles th on th.key_hash = $3
       left join lateral (
         select t.id as "tokenId", a.id as "accountId", a.kind, m.role, m.user_id as "userId", a.time_zone as "timeZone"
           from api_tokens t
           join accounts a on a.id = t.account_id
           join memberships m on m.account_id = t.account_id and m.user_id = t.created_by
           join users u on u.id = t.created_by
          where t.token_hash = $1 and a.sid = $2 and t.revoked_at is null and a.status = 'ACTIVE' and u.disabled_at is null
            and (th.blocked_until is null or th.blocked_until <= $4)
       ) tok on true`,
    [sha256Hex(authToken), accountSid, throttleKey.hash, now],
  );
  const row = rows[0]!;
  if (row.blockedUntil && new Date(row.blockedUntil) > now) {
    throw throttledError(throttleKey, retryAfterSeconds(new Date(row.blockedUntil), now));
  }
  if (row.tokenId === null) {
    await recordFailure(ctx, throttleKey);
    return undefined;
  }
  if (row.hasFailures) await forgetFailures(ctx, throttleKey);
  // Best effort: a lost update of last_used_at is harmless.
  await ctx.db.query('update api_tokens set last_used_at = $2 where id = $1', [row.tokenId, now]);
  return {
    type: 'account',
    userId: row.userId,
    accountId: row.accountId,
    accountKind: row.kind,
    accountTimeZone: row.timeZone,
    role: row.role,
    via: 'token',
    credentialId: row.tokenId,
  };
}

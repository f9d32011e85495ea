import type { ServiceContext } from '../../core/context.js';
import { notFound } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import type { Role } from './types.js';

/**
 * The account a user lands in after logging in (issue 17 item 4): the one they last
 * worked in, while they are still a member of it; else the first one they administer;
 * else the first one. `accounts` is the user's memberships in the order the account
 * switcher lists them (by name).
 */
export function landingAccountId(accounts: ReadonlyArray<{ accountId: number; role: Role }>, lastAccountId: number | null): number | null {
  if (lastAccountId !== null && accounts.some((a) => a.accountId === lastAccountId)) return lastAccountId;
  return (accounts.find((a) => a.role === 'ADMIN') ?? accounts[0])?.accountId ?? null;
}

/** The account the user last switched to (null when never, or for an operator). */
export async function lastAccountIdOf(sql: Sql, userId: number): Promise<number | null> {
  const { rows } = await sql.query<{ lastAccountId: number | null }>('select last_account_id as "lastAccountId" from users where id = $1', [userId]);
  return rows[0]?.lastAccountId ?? null;
}

/**
 * Remembers the account a user switched to, for their next login on any device. Only an
 * active account they are a member of: another one is a 404, whether or not it exists.
 */
export async function rememberLastAccount(ctx: ServiceContext, userId: number, accountId: number): Promise<void> {
  const { rowCount } = await ctx.db.query(
    `update users u set last_account_id = $2
      where u.id = $1
        and exists (select 1 from memberships m join accounts a on a.id = m.account_id
                     where m.user_id = u.id and m.account_id = $2 and a.status = 'ACTIVE')`,
    [userId, accountId],
  );
  if (rowCount !== 1) throw notFound(`You are not a member of account ${accountId}.`);
}

import type { Sql } from '../../db/types.js';
import type { AccountKind, Role } from './actor.js';

export interface AccountRow {
  id: number;
  kind: AccountKind;
  name: string;
  timeZone: string;
  currency: string;
  sid: string;
  status: 'ACTIVE' | 'CLOSED';
  createdAt: Date;
}

export const ACCOUNT_COLUMNS = `a.id, a.kind, a.name, a.time_zone as "timeZone", a.currency, a.sid, a.status, a.created_at as "createdAt"`;

export async function findAccount(sql: Sql, accountId: number): Promise<AccountRow | undefined> {
  const { rows } = await sql.query<AccountRow>(`select ${ACCOUNT_COLUMNS} from accounts a where a.id = $1`, [accountId]);
  return rows[0];
}

/** Many accounts at once (a payout run's chunk of partners), keyed by id; ids not found are left out. */
export async function findAccounts(sql: Sql, accountIds: readonly number[]): Promise<Map<number, AccountRow>> {
  if (accountIds.length === 0) return new Map();
  const { rows } = await sql.query<AccountRow>(`select ${ACCOUNT_COLUMNS} from accounts a where a.id = any($1::int[])`, [accountIds]);
  return new Map(rows.map((row) => [row.id, row]));
}

export interface MembershipRow {
  accountId: number;
  accountName: string;
  accountKind: AccountKind;
  accountTimeZone: string;
  accountCurrency: string;
  role: Role;
}

/** The accounts a user can act for: closed accounts are left out, their users have lost access. */
export async function listMembershipsOfUser(sql: Sql, userId: number): Promise<MembershipRow[]> {
  const { rows } = await sql.query<MembershipRow>(
    `select a.id as "accountId", a.name as "accountName", a.kind as "accountKind",
            a.time_zone as "accountTimeZone", a.currency as "accountCurrency", m.role
       from memberships m join accounts a on a.id = m.account_id
      where m.user_id = $1 and a.status = 'ACTIVE'
      order by a.name, a.id`,
    [userId],
  );
  return rows;
}

export interface MemberRow {
  userId: number;
  email: string;
  name: string;
  role: Role;
  joinedAt: Date;
}

export async function listMembersOfAccount(sql: Sql, accountId: number): Promise<MemberRow[]> {
  const { rows } = await sql.query<MemberRow>(
    `select u.id as "userId", u.email, u.name, m.role, m.created_at as "joinedAt"
       from memberships m join users u on u.id = m.user_id
      where m.account_id = $1
      order by lower(u.name), u.id`,
    [accountId],
  );
  return rows;
}

export interface UserRow {
  id: number;
  email: string;
  name: string;
  isOperator: boolean;
  passwordHash: string | null;
  disabledAt: Date | null;
}

export async function findUserByEmail(sql: Sql, email: string): Promise<UserRow | undefined> {
  const { rows } = await sql.query<UserRow>(
    `select id, email, name, is_operator as "isOperator", password_hash as "passwordHash", disabled_at as "disabledAt"
       from users where lower(email) = lower($1)`,
    [email],
  );
  return rows[0];
}

export async function findUser(sql: Sql, userId: number): Promise<UserRow | undefined> {
  const { rows } = await sql.query<UserRow>(
    `select id, email, name, is_operator as "isOperator", password_hash as "passwordHash", disabled_at as "disabledAt"
       from users where id = $1`,
    [userId],
  );
  return rows[0];
}

/**
 * The condition of an invitation that can still be accepted: not accepted, revoked or
 * declined, and not expired at `now` (a parameter reference such as `$2`).
 */
export function pendingInvitationSql(alias: string, now: string): string {
  return `${alias}.accepted_at is null and ${alias}.revoked_at is null and ${alias}.declined_at is null and ${alias}.expires_at > ${now}`;
}

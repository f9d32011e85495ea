/**
 * The accounts module's part of closing a partner account (the flow is
 * src/flows/close-account.ts): the account's status, who loses access, and the erasure of
 * the account's and its users' personal data from the accounts module's own tables.
 */
import { conflict, notFound } from '../../core/errors.js';
import { ERASED } from '../../db/scrub.js';
import type { Sql } from '../../db/types.js';
import { loginThrottleKey } from './auth-throttle.js';
import { ACCOUNT_COLUMNS, type AccountRow } from './queries.js';

/** The name every screen, export and API answer shows for a closed partner account. */
export function closedPartnerName(accountId: number): string {
  return `Closed partner #${accountId}`;
}

/**
 * The partner account, locked for its closure (FOR UPDATE): a conversion being recorded
 * for it holds its row (FOR KEY SHARE, src/modules/conversions) until it commits, so
 * the closure's re-check that follows sees that conversion's pending action, and a later
 * conversion sees the account closed.
 */
export async function lockAccountForClosure(tx: Sql, accountId: number): Promise<AccountRow> {
  const { rows } = await tx.query<AccountRow>(`select ${ACCOUNT_COLUMNS} from accounts a where a.id = $1 for update`, [accountId]);
  const account = rows[0];
  if (!account) throw notFound(`Account ${accountId} does not exist.`);
  if (account.kind !== 'PARTNER') throw conflict(`Account ${accountId} is a brand account: only partner accounts are closed this way.`);
  return account;
}

/**
 * Closes the account now, in the caller's transaction: from its commit on, its users'
 * sessions and API tokens no longer act for it (both read the status on every request),
 * its tracking links answer the expired-link page and its conversions are rejected.
 */
export async function markAccountClosed(tx: Sql, accountId: number, now: Date): Promise<void> {
  const { rowCount } = await tx.query(`update accounts set status = 'CLOSED', closed_at = $2 where id = $1 and status = 'ACTIVE'`, [accountId, now]);
  if (!rowCount) throw conflict(`Account ${accountId} is already closed.`);
}

export interface ClosingAccountPeople {
  /** The account's name as it was (a partner's name is often a person's). */
  accountName: string;
  /** Users whose personal data goes: those left with no other open account, and the login the ticket asked to delete. */
  erase: Array<{ id: number; name: string; email: string }>;
  /** E-mails the account invited that never became a member: the invitations go, and with them these. */
  invitedEmails: string[];
}

/**
 * Who is affected by the closure: the account's members, split into those erased (no
 * membership of another open account left, or named by the ticket: `deleteUserIds`) and
 * those who keep their login for their other accounts. Operators are never erased.
 */
export async function peopleOfClosingAccount(tx: Sql, accountId: number, deleteUserIds: readonly number[]): Promise<ClosingAccountPeople> {
  const { rows: account } = await tx.query<{ name: string }>('select name from accounts where id = $1', [accountId]);
  const { rows } = await tx.query<{ id: number; name: string; email: string; others: number; isOperator: boolean }>(
    `select u.id, u.name, u.email, u.is_operator as "isOperator",
            (select count(*)::int from memberships o join accounts oa on oa.id = o.account_id
              where o.user_id = u.id and o.account_id <> $1 and oa.status = 'ACTIVE') as others
       from users u
      where u.disabled_at is null
        and (u.id in (select user_id from memberships where account_id = $1) or u.id = any($2::int[]))
      order by u.id`,
    [accountId, deleteUserIds],
  );
  const erase = rows.filter((u) => !u.isOperator && (u.others === 0 || deleteUserIds.includes(u.id)));
  const { rows: invited } = await tx.query<{ email: string }>(
    `select distinct i.email from invitations i
      where i.account_id = $1 and i.accepted_at is null and not exists (select 1 from users u where lower(u.email) = lower(i.email))`,
    [accountId],
  );
  return {
    accountName: account[0]?.name ?? '',
    erase: erase.map((u) => ({ id: u.id, name: u.name, email: u.email })),
    invitedEmails: invited.map((i) => i.email),
  };
}

/**
 * The accounts module's erasure, last in the closure's erasure step (after every other
 * module has scrubbed the values this removes at their source): the account's
 * memberships, invitations and API tokens go; each erased user keeps only its row's id
 * (name and e-mail replaced, no password, disabled, no session, no membership anywhere, no
 * throttle row under its e-mail, no invitation to it); the account is renamed
 * "Closed partner #<id>".
 */
export async function eraseAccountAndUsers(tx: Sql, accountId: number, people: ClosingAccountPeople, now: Date): Promise<void> {
  const ids = people.erase.map((u) => u.id);
  const emails = people.erase.map((u) => u.email);
  await tx.query('delete from memberships where account_id = $1 or user_id = any($2::int[])', [accountId, ids]);
  await tx.query('delete from invitations where account_id = $1 or lower(email) = any($2::text[])', [accountId, emails.map((e) => e.toLowerCase())]);
  await tx.query(`update api_tokens set revoked_at = coalesce(revoked_at, $2), label = $3 where account_id = $1`, [accountId, now, ERASED]);
  await tx.query('delete from sessions where user_id = any($1::int[])', [ids]);
  await tx.query('delete from auth_throttles where key_hash = any($1::text[])', [emails.map((e) => loginThrottleKey(e).hash)]);
  await tx.query(
    `update users set name = 'Erased user', email = 'erased-user-' || id || '@erased.invalid', password_hash = null,
            disabled_at = coalesce(disabled_at, $2), last_account_id = null
      where id = any($1::int[])`,
    [ids, now],
  );
  // Users who keep their login forget this account as their last one.
  await tx.query('update users set last_account_id = null where last_account_id = $1', [accountId]);
  await tx.query('update accounts set name = $2 where id = $1', [accountId, closedPartnerName(accountId)]);
}

/** Values of the closing account's people as they are stored: the account's name, each erased user's name and e-mail, the e-mails it invited. */
export function personalValues(people: ClosingAccountPeople): string[] {
  return [people.accountName, ...people.erase.flatMap((u) => [u.name, u.email]), ...people.invitedEmails].filter((v) => v.trim().length > 0);
}

/** The closure's record (migration 0021), written with the status; ids and times only. */
export async function recordClosure(tx: Sql, closure: { accountId: number; ticketId: string | null; operatorUserId: number; at: Date }): Promise<void> {
  await tx.query(`insert into account_closures (account_id, ticket_id, closed_by_user_id, closed_at) values ($1, $2, $3, $4)`, [
    closure.accountId,
    closure.ticketId,
    closure.operatorUserId,
    closure.at,
  ]);
}

/** What the closure's later steps add to its record: its work item, the contracts it expired, the users it erased and when. */
export async function noteClosure(
  tx: Sql,
  accountId: number,
  note: { workItemId?: bigint; contractsExpired?: number; usersErased?: number; erasedAt?: Date },
): Promise<void> {
  await tx.query(
    `update account_closures set work_item_id = coalesce($2, work_item_id), contracts_expired = coalesce($3, contracts_expired),
            users_erased = coalesce($4, users_erased), erased_at = coalesce($5, erased_at)
      where account_id = $1`,
    [accountId, note.workItemId?.toString() ?? null, note.contractsExpired ?? null, note.usersErased ?? null, note.erasedAt ?? null],
  );
}

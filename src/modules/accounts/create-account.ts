import { randomBytes } from 'node:crypto';
import type { ServiceContext } from '../../core/context.js';
import { conflict, invalid } from '../../core/errors.js';
import { hashPassword } from '../../core/crypto.js';
import { isValidTimeZone } from '../../core/time-zone.js';
import type { Sql } from '../../db/types.js';
import { isCurrencyCode } from '../../money/index.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import type { AccountKind } from './actor.js';
import { findUserByEmail } from './queries.js';
import { checkPasswordOrThrow, normalizeEmailOrThrow } from './validation.js';

export interface CreateAccountInput {
  kind: AccountKind;
  name: string;
  timeZone: string;
  currency: string;
  admin: { email: string; name: string; password?: string };
}

export interface CreatedAccount {
  id: number;
  sid: string;
  adminUserId: number;
}

/** The Account SID is public (it names the account in API calls), so it needs no secrecy, only uniqueness. */
function newAccountSid(): string {
  return `LS${randomBytes(15).toString('hex').toUpperCase()}`;
}

export function checkAccountFieldsOrThrow(input: { name: string; timeZone: string; currency: string }): void {
  if (!input.name.trim()) throw invalid('The account name must not be empty.');
  if (!isValidTimeZone(input.timeZone)) {
    throw invalid(`"${input.timeZone}" is not a known IANA time zone (for example "America/New_York").`);
  }
  if (!isCurrencyCode(input.currency)) {
    throw invalid(`"${input.currency}" is not a supported ISO 4217 currency code.`);
  }
}

/**
 * Creates a brand or partner account with its first admin. The admin is an existing
 * user (found by e-mail) or a new one, who then needs a password to log in.
 */
export async function createAccount(
  ctx: ServiceContext,
  actorUserId: number | null,
  input: CreateAccountInput,
  tx?: Sql,
): Promise<CreatedAccount> {
  checkAccountFieldsOrThrow(input);
  const email = normalizeEmailOrThrow(input.admin.email);
  if (input.admin.password !== undefined) checkPasswordOrThrow(input.admin.password);
  const passwordHash = input.admin.password === undefined ? null : await hashPassword(input.admin.password);

  const run = async (sql: Sql): Promise<CreatedAccount> => {
    const sid = newAccountSid();
    const { rows } = await sql.query<{ id: number }>(
      `insert into accounts (kind, name, time_zone, currency, sid, created_at) values ($1, $2, $3, $4, $5, $6) returning id`,
      [input.kind, input.name.trim(), input.timeZone, input.currency, sid, ctx.clock.now()],
    );
    const accountId = rows[0]!.id;
    let user = await findUserByEmail(sql, email);
    if (!user) {
      const inserted = await sql.query<{ id: number }>(
        `insert into users (email, name, password_hash, created_at) values ($1, $2, $3, $4) returning id`,
        [email, input.admin.name.trim() || email, passwordHash, ctx.clock.now()],
      );
      user = { id: inserted.rows[0]!.id } as NonNullable<typeof user>;
    } else if (user.isOperator) {
      throw conflict(`${email} is an operator login; operators cannot be account members.`);
    }
    await sql.query(`insert into memberships (account_id, user_id, role, created_at) values ($1, $2, 'ADMIN', $3)`, [
      accountId,
      user.id,
      ctx.clock.now(),
    ]);
    await recordAuditEvent(sql, {
      at: ctx.clock.now(),
      actorUserId,
      accountId,
      action: 'account.created',
      subject: `account:${accountId}`,
      detail: { kind: input.kind, adminUserId: user.id },
    });
    return { id: accountId, sid, adminUserId: user.id };
  };
  return tx ? run(tx) : ctx.db.transaction(run);
}

import type { ServiceContext } from '../../core/context.js';
import { hashPassword, randomSecret, sha256Hex, verifyPassword } from '../../core/crypto.js';
import { conflict, invalid, notFound, unauthorized } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import { mailPublicUrl, queueEmailInTx } from '../../outbox/emails.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { requireAccountAdmin, type Actor, type Role } from './actor.js';
import { claimAttemptOrThrow, forgetFailures, invitationThrottleKey, loginThrottleKey } from './auth-throttle.js';
import { DUMMY_HASH } from './log-in.js';
import { findUserByEmail, pendingInvitationSql } from './queries.js';
import { checkPasswordOrThrow, normalizeEmailOrThrow } from './validation.js';

const INVITATION_TTL_DAYS = 7;

export const INVALID_INVITATION_LINK = 'This invitation link is not valid: it was used, revoked or has expired. Ask for a new one.';

export interface InvitationResult {
  /**
   * Always INVITED: membership needs the invitee's consent, so everyone, with a login or
   * without, gets an invitation to accept, and the answer does not tell which e-mails
   * have logins.
   */
  status: 'INVITED';
  invitationId: number;
  /** Shown once to the inviting admin (and e-mailed when outgoing mail is configured). */
  acceptToken: string;
  /** Whether an e-mail with the link was queued (SMTP_RELAY_URL is set); it leaves after the commit. */
  emailed: boolean;
}

/**
 * The invitation e-mail, queued in the invitation's transaction (src/outbox/emails.ts):
 * who invites, to which account, as what, the link and until when it works.
 */
async function queueInvitationEmail(
  tx: Sql,
  at: Date,
  invitation: { invitationId: number; email: string; role: Role; acceptToken: string; accountId: number; invitedBy: number },
): Promise<boolean> {
  const publicUrl = mailPublicUrl();
  if (!publicUrl) return false;
  const { rows } = await tx.query<{ accountName: string; kind: string; inviterName: string }>(
    `select a.name as "accountName", a.kind, u.name as "inviterName" from accounts a, users u where a.id = $1 and u.id = $2`,
    [invitation.accountId, invitation.invitedBy],
  );
  const who = rows[0]!;
  const link = `${publicUrl}/accept-invitation?token=${encodeURIComponent(invitation.acceptToken)}`;
  const expires = new Date(at.getTime() + INVITATION_TTL_DAYS * 86_400_000).toISOString().slice(0, 10);
  const as = invitation.role === 'ADMIN' ? 'an admin' : 'a user';
  return queueEmailInTx(tx, at, {
    purpose: 'invitation',
    subject: `invitation:${invitation.invitationId}`,
    message: {
      to: invitation.email,
      subject: `${who.inviterName} invited you to ${who.accountName} on Lockstep`,
      text: [
        `${who.inviterName} invited you to join ${who.accountName} (a ${who.kind.toLowerCase()} account on Lockstep) as ${as}.`,
        '',
        `Accept the invitation: ${link}`,
        '',
        `The link works once, until ${expires} (UTC). If you did not expect this invitation, ignore this e-mail: nothing happens without your consent.`,
      ].join('\n'),
    },
  });
}

export async function inviteUser(
  ctx: ServiceContext,
  actor: Actor,
  input: { email: string; role: Role },
): Promise<InvitationResult> {
  const admin = requireAccountAdmin(actor);
  const email = normalizeEmailOrThrow(input.email);
  return ctx.db.transaction(async (tx) => {
    // Serialize invitations per account, so two invitations of one e-mail sent at once
    // cannot both pass the duplicate check below.
    await tx.query('select id from accounts where id = $1 for update', [admin.accountId]);
    // Refusing a member or a pending invitation reveals nothing the admin cannot see in
    // the account's own lists. Whether the e-mail has a login elsewhere (or is an
    // operator's) is not this account's business: that is checked when it is accepted.
    const member = await tx.query(
      'select 1 from memberships m join users u on u.id = m.user_id where m.account_id = $1 and lower(u.email) = $2',
      [admin.accountId, email],
    );
    if (member.rows.length) throw conflict(`${email} is already a member of this account.`);
    const pending = await tx.query(
      `select 1 from invitations i where i.account_id = $1 and lower(i.email) = $2 and ${pendingInvitationSql('i', '$3')}`,
      [admin.accountId, email, ctx.clock.now()],
    );
    if (pending.rows.length) throw conflict(`${email} already has a pending invitation; revoke it to send a new one.`);
    const acceptToken = randomSecret();
    const { rows } = await tx.query<{ id: number }>(
      `insert into invitations (account_id, email, role, token_hash, invited_by, created_at, expires_at)
       values ($1, $2, $3, $4, $5, $6, $7) returning id`,
      [
        admin.accountId,
        email,
        input.role,
        sha256Hex(acceptToken),
        admin.userId,
        ctx.clock.now(),
        new Date(ctx.clock.now().getTime() + INVITATION_TTL_DAYS * 86_400_000),
      ],
    );
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: admin.userId,
      accountId: admin.accountId,
      action: 'member.invited',
      subject: `invitation:${rows[0]!.id}`,
      detail: { email, role: input.role },
    });
    const emailed = await queueInvitationEmail(tx, ctx.clock.now(), { invitationId: rows[0]!.id, email, role: input.role, acceptToken, accountId: admin.accountId, invitedBy: admin.userId });
    return { status: 'INVITED', invitationId: rows[0]!.id, acceptToken, emailed };
  });
}

export interface PendingInvitation {
  id: number;
  email: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
}

export async function listInvitations(ctx: ServiceContext, actor: Actor): Promise<PendingInvitation[]> {
  const admin = requireAccountAdmin(actor);
  const { rows } = await ctx.db.query<PendingInvitation>(
    `select id, email, role, created_at as "createdAt", expires_at as "expiresAt" from invitations i
      where account_id = $1 and ${pendingInvitationSql('i', '$2')} order by id`,
    [admin.accountId, ctx.clock.now()],
  );
  return rows;
}

export async function revokeInvitation(ctx: ServiceContext, actor: Actor, invitationId: number): Promise<void> {
  const admin = requireAccountAdmin(actor);
  const { rowCount } = await ctx.db.query(
    `update invitations set revoked_at = $3
      where id = $1 and account_id = $2 and accepted_at is null and revoked_at is null and declined_at is null`,
    [invitationId, admin.accountId, ctx.clock.now()],
  );
  if (!rowCount) throw notFound(`No pending invitation ${invitationId} in this account.`);
}

interface InvitationRow {
  id: number;
  accountId: number;
  accountName: string;
  email: string;
  role: Role;
}

async function findPendingInvitation(sql: Sql, acceptToken: string, now: Date): Promise<InvitationRow | undefined> {
  const { rows } = await sql.query<InvitationRow>(
    `select i.id, i.account_id as "accountId", a.name as "accountName", i.email, i.role
       from invitations i join accounts a on a.id = i.account_id
      where i.token_hash = $1 and ${pendingInvitationSql('i', '$2')} and a.status = 'ACTIVE'`,
    [sha256Hex(acceptToken), now],
  );
  return rows[0];
}

/**
 * What an invitation link is for. `hasLogin` tells the accept page whether to ask for
 * the existing login's password or for a new name and password; it is shown only to
 * whoever holds the link, never in the inviting admin's answer.
 */
export async function describeInvitation(
  ctx: ServiceContext,
  acceptToken: string,
): Promise<{ id: number; email: string; accountName: string; role: Role; hasLogin: boolean }> {
  const invitation = await findPendingInvitation(ctx.db, acceptToken, ctx.clock.now());
  if (!invitation) throw notFound(INVALID_INVITATION_LINK);
  const user = await findUserByEmail(ctx.db, invitation.email);
  return { id: invitation.id, email: invitation.email, accountName: invitation.accountName, role: invitation.role, hasLogin: Boolean(user) };
}

export function operatorInvitedError(email: string) {
  return conflict(
    `This invitation is for ${email}, which is a platform operator login; operators cannot be members of an account. ` +
      'Decline it, or ask the admin who invited you to invite another e-mail address.',
  );
}

/**
 * Accepting through the link, without a session. An e-mail that has a login joins with
 * that login's password (the link alone must not log anyone in as someone else); a new
 * e-mail chooses a name and password. The invitation is single-use.
 *
 * Both are throttled (auth-throttle.ts): every attempt counts against the invitation
 * token, and a password check also against the login's e-mail, under the same key as
 * logging in, since it is the same password being guessed. The attempts are counted
 * outside the transaction, so a refused attempt still counts.
 */
export async function acceptInvitation(
  ctx: ServiceContext,
  input: { token: string; name?: string | undefined; password: string },
): Promise<{ userId: number; accountId: number }> {
  const tokenKey = invitationThrottleKey(input.token);
  await claimAttemptOrThrow(ctx, tokenKey);
  const invitation = await findPendingInvitation(ctx.db, input.token, ctx.clock.now());
  if (!invitation) throw notFound(INVALID_INVITATION_LINK);

  const existing = await findUserByEmail(ctx.db, invitation.email);
  let newUser: { name: string; passwordHash: string } | undefined;
  if (existing) {
    const emailKey = loginThrottleKey(invitation.email);
    await claimAttemptOrThrow(ctx, emailKey);
    const ok = await verifyPassword(existing.passwordHash ?? DUMMY_HASH, input.password);
    if (!existing.passwordHash || !ok || existing.disabledAt) {
      throw unauthorized(`${invitation.email} already has a Lockstep login; enter that login's password to join.`);
    }
    await forgetFailures(ctx, emailKey);
    // Only now, to the owner of the login: an operator cannot join.
    if (existing.isOperator) throw operatorInvitedError(invitation.email);
  } else {
    const name = (input.name ?? '').trim();
    if (!name) throw invalid('Your name must not be empty.');
    if (name.length > 200) throw invalid('Your name must have at most 200 characters.');
    checkPasswordOrThrow(input.password);
    newUser = { name, passwordHash: await hashPassword(input.password) };
  }

  const joined = await ctx.db.transaction(async (tx) => {
    // Consuming the invitation with a compare-and-set makes a double submit harmless.
    const { rows } = await tx.query<{ id: number; accountId: number; email: string; role: Role }>(
      `update invitations i set accepted_at = $2
        where i.token_hash = $1 and ${pendingInvitationSql('i', '$2')}
          and i.account_id in (select id from accounts where status = 'ACTIVE')
        returning id, account_id as "accountId", email, role`,
      [sha256Hex(input.token), ctx.clock.now()],
    );
    const consumed = rows[0];
    if (!consumed) throw notFound(INVALID_INVITATION_LINK);
    const user = await findUserByEmail(tx, consumed.email);
    let userId: number;
    if (existing) {
      if (user?.id !== existing.id) throw conflict('The login of this invitation changed meanwhile; open the link again.');
      userId = existing.id;
    } else if (user) {
      // The e-mail got a login after the page was opened: its own password is needed.
      throw unauthorized(`${consumed.email} already has a Lockstep login; enter that login's password to join.`);
    } else {
      const inserted = await tx.query<{ id: number }>(
        'insert into users (email, name, password_hash, created_at) values ($1, $2, $3, $4) returning id',
        [consumed.email, newUser!.name, newUser!.passwordHash, ctx.clock.now()],
      );
      userId = inserted.rows[0]!.id;
    }
    await tx.query(
      `insert into memberships (account_id, user_id, role, created_at) values ($1, $2, $3, $4)
       on conflict (account_id, user_id) do nothing`,
      [consumed.accountId, userId, consumed.role, ctx.clock.now()],
    );
    await audit(ctx, tx, userId, consumed.accountId, 'member.joined', userId, { invitationId: consumed.id });
    return { userId, accountId: consumed.accountId };
  });
  await forgetFailures(ctx, tokenKey);
  return joined;
}

/**
 * Locks every membership row of the account (in key order, so two admins editing at
 * once cannot deadlock) and returns the admins, so the last-admin rule cannot be raced.
 */
async function lockMemberships(tx: Sql, accountId: number): Promise<Array<{ userId: number; role: Role }>> {
  const { rows } = await tx.query<{ userId: number; role: Role }>(
    'select user_id as "userId", role from memberships where account_id = $1 order by user_id for update',
    [accountId],
  );
  return rows;
}

export async function changeMemberRole(
  ctx: ServiceContext,
  actor: Actor,
  input: { userId: number; role: Role },
): Promise<void> {
  const admin = requireAccountAdmin(actor);
  await ctx.db.transaction(async (tx) => {
    const members = await lockMemberships(tx, admin.accountId);
    const member = members.find((m) => m.userId === input.userId);
    if (!member) throw notFound(`User ${input.userId} is not a member of this account.`);
    if (member.role === input.role) return;
    const admins = members.filter((m) => m.role === 'ADMIN');
    if (member.role === 'ADMIN' && admins.length === 1) {
      throw conflict('This is the last admin of the account; make another member an admin first.');
    }
    await tx.query('update memberships set role = $3 where account_id = $1 and user_id = $2', [
      admin.accountId,
      input.userId,
      input.role,
    ]);
    await audit(ctx, tx, admin.userId, admin.accountId, 'member.role_changed', input.userId, {
      from: member.role,
      to: input.role,
    });
  });
}

/**
 * Removal takes effect at once: access is checked against memberships on every
 * request, the user's API tokens for this account are revoked, and when the user has
 * no account left their sessions are deleted too.
 */
export async function removeMember(ctx: ServiceContext, actor: Actor, userId: number): Promise<void> {
  const admin = requireAccountAdmin(actor);
  await ctx.db.transaction(async (tx) => {
    const members = await lockMemberships(tx, admin.accountId);
    const member = members.find((m) => m.userId === userId);
    if (!member) throw notFound(`User ${userId} is not a member of this account.`);
    if (member.role === 'ADMIN' && members.filter((m) => m.role === 'ADMIN').length === 1) {
      throw conflict('This is the last admin of the account and cannot be removed; make another member an admin first.');
    }
    await tx.query('delete from memberships where account_id = $1 and user_id = $2', [admin.accountId, userId]);
    await tx.query(
      'update api_tokens set revoked_at = $3 where account_id = $1 and created_by = $2 and revoked_at is null',
      [admin.accountId, userId, ctx.clock.now()],
    );
    const remaining = await tx.query('select 1 from memberships where user_id = $1 limit 1', [userId]);
    if (!remaining.rows.length) await tx.query('delete from sessions where user_id = $1', [userId]);
    await audit(ctx, tx, admin.userId, admin.accountId, 'member.removed', userId, { role: member.role });
  });
}

async function audit(
  ctx: ServiceContext,
  tx: Sql,
  actorUserId: number,
  accountId: number,
  action: string,
  userId: number,
  detail: unknown,
): Promise<void> {
  await recordAuditEvent(tx, { at: ctx.clock.now(), actorUserId, accountId, action, subject: `user:${userId}`, detail });
}

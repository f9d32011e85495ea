import type { ServiceContext } from '../../core/context.js';
import { hashPassword, randomSecret, sha256Hex, verifyPassword } from '../../core/crypto.js';
import { conflict, invalid, notFound, unauthorized } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { requireAccountAdmin, type Actor, type Role } from './actor.js';
import { findUserByEmail } from './queries.js';
import { checkPasswordOrThrow, normalizeEmailOrThrow } from './validation.js';

const INVITATION_TTL_DAYS = 7;

export interface InvitationResult {
  /** An existing user is added at once; a new one gets an invitation link to set a password. */
  status: 'ADDED' | 'INVITED';
  userId?: number;
  invitationId?: number;
  /** Shown once to the inviting admin (and e-mailed when outgoing mail is configured). */
  acceptToken?: string;
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
    const existing = await findUserByEmail(tx, email);
    if (existing?.isOperator) throw conflict(`${email} is an operator login; operators cannot be account members.`);
    if (existing) {
      const member = await tx.query('select 1 from memberships where account_id = $1 and user_id = $2', [
        admin.accountId,
        existing.id,
      ]);
      if (member.rows.length) throw conflict(`${email} is already a member of this account.`);
      await tx.query('insert into memberships (account_id, user_id, role, created_at) values ($1, $2, $3, $4)', [
        admin.accountId,
        existing.id,
        input.role,
        ctx.clock.now(),
      ]);
      await audit(ctx, tx, admin.userId, admin.accountId, 'member.added', existing.id, { role: input.role });
      return { status: 'ADDED', userId: existing.id };
    }
    const pending = await tx.query(
      `select 1 from invitations where account_id = $1 and lower(email) = $2 and accepted_at is null
          and revoked_at is null and expires_at > $3`,
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
    return { status: 'INVITED', invitationId: rows[0]!.id, acceptToken };
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
    `select id, email, role, created_at as "createdAt", expires_at as "expiresAt" from invitations
      where account_id = $1 and accepted_at is null and revoked_at is null and expires_at > $2 order by id`,
    [admin.accountId, ctx.clock.now()],
  );
  return rows;
}

export async function revokeInvitation(ctx: ServiceContext, actor: Actor, invitationId: number): Promise<void> {
  const admin = requireAccountAdmin(actor);
  const { rowCount } = await ctx.db.query(
    `update invitations set revoked_at = $3 where id = $1 and account_id = $2 and accepted_at is null and revoked_at is null`,
    [invitationId, admin.accountId, ctx.clock.now()],
  );
  if (!rowCount) throw notFound(`No pending invitation ${invitationId} in this account.`);
}

export async function describeInvitation(
  ctx: ServiceContext,
  acceptToken: string,
): Promise<{ email: string; accountName: string; role: Role }> {
  const { rows } = await ctx.db.query<{ email: string; accountName: string; role: Role }>(
    `select i.email, a.name as "accountName", i.role from invitations i join accounts a on a.id = i.account_id
      where i.token_hash = $1 and i.accepted_at is null and i.revoked_at is null and i.expires_at > $2 and a.status = 'ACTIVE'`,
    [sha256Hex(acceptToken), ctx.clock.now()],
  );
  if (!rows[0]) throw notFound('This invitation link is not valid: it was used, revoked or has expired. Ask for a new one.');
  return rows[0];
}

/** The invitee chooses a name and password; the invitation is single-use. */
export async function acceptInvitation(
  ctx: ServiceContext,
  input: { token: string; name: string; password: string },
): Promise<{ userId: number; accountId: number }> {
  checkPasswordOrThrow(input.password);
  if (!input.name.trim()) throw invalid('Your name must not be empty.');
  const passwordHash = await hashPassword(input.password);
  return ctx.db.transaction(async (tx) => {
    // Consuming the invitation with a compare-and-set makes a double submit harmless.
    const { rows } = await tx.query<{ id: number; accountId: number; email: string; role: Role }>(
      `update invitations set accepted_at = $2
        where token_hash = $1 and accepted_at is null and revoked_at is null and expires_at > $2
          and account_id in (select id from accounts where status = 'ACTIVE')
        returning id, account_id as "accountId", email, role`,
      [sha256Hex(input.token), ctx.clock.now()],
    );
    const invitation = rows[0];
    if (!invitation) throw notFound('This invitation link is not valid: it was used, revoked or has expired. Ask for a new one.');
    let user = await findUserByEmail(tx, invitation.email);
    if (user?.isOperator) {
      throw conflict(`${invitation.email} is an operator login; operators cannot be account members.`);
    }
    if (user) {
      // The e-mail got a login after the invitation was sent: the link alone must not
      // log anyone in as that user, so their own password is required.
      if (!user.passwordHash || !(await verifyPassword(user.passwordHash, input.password))) {
        throw unauthorized(`${invitation.email} already has a Lockstep login; enter that login's password to join.`);
      }
    } else {
      const inserted = await tx.query<{ id: number }>(
        'insert into users (email, name, password_hash, created_at) values ($1, $2, $3, $4) returning id',
        [invitation.email, input.name.trim(), passwordHash, ctx.clock.now()],
      );
      user = { id: inserted.rows[0]!.id } as NonNullable<typeof user>;
    }
    await tx.query(
      `insert into memberships (account_id, user_id, role, created_at) values ($1, $2, $3, $4)
       on conflict (account_id, user_id) do nothing`,
      [invitation.accountId, user.id, invitation.role, ctx.clock.now()],
    );
    await audit(ctx, tx, user.id, invitation.accountId, 'member.joined', user.id, { invitationId: invitation.id });
    return { userId: user.id, accountId: invitation.accountId };
  });
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

import type { ServiceContext } from '../../core/context.js';
import { notFound } from '../../core/errors.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import type { AccountKind, Role } from './actor.js';
import { operatorInvitedError } from './members.js';
import { pendingInvitationSql } from './queries.js';
import type { SessionUser } from './resolve-credentials.js';

/**
 * The invitee's side of an invitation, for a logged-in user: the invitations addressed
 * to their e-mail, accepted or declined from their session. A login's e-mail is its
 * owner's (it came from an invitation link or from the operator who opened the account),
 * so the session is consent enough: no password, no link needed.
 */

export interface MyInvitation {
  id: number;
  accountId: number;
  accountName: string;
  accountKind: AccountKind;
  role: Role;
  invitedByName: string;
  createdAt: Date;
  expiresAt: Date;
}

/** Pending invitations of active accounts the user is not yet a member of, oldest first. */
export async function listMyInvitations(ctx: ServiceContext, user: SessionUser): Promise<MyInvitation[]> {
  const { rows } = await ctx.db.query<MyInvitation>(
    `select i.id, a.id as "accountId", a.name as "accountName", a.kind as "accountKind", i.role,
            inviter.name as "invitedByName", i.created_at as "createdAt", i.expires_at as "expiresAt"
       from invitations i
       join accounts a on a.id = i.account_id
       join users inviter on inviter.id = i.invited_by
      where lower(i.email) = lower($1) and ${pendingInvitationSql('i', '$2')} and a.status = 'ACTIVE'
        and not exists (select 1 from memberships m where m.account_id = i.account_id and m.user_id = $3)
      order by i.created_at, i.id`,
    [user.email, ctx.clock.now(), user.userId],
  );
  return rows;
}

function noSuchInvitation(invitationId: number, email: string) {
  return notFound(`No pending invitation ${invitationId} for ${email}; it may have been accepted, declined, revoked or have expired.`);
}

export async function acceptMyInvitation(
  ctx: ServiceContext,
  user: SessionUser,
  invitationId: number,
): Promise<{ accountId: number }> {
  return ctx.db.transaction(async (tx) => {
    if (user.isOperator) {
      // Only to the operator, about their own e-mail: why they cannot join.
      const found = await tx.query(
        `select 1 from invitations i where i.id = $1 and lower(i.email) = lower($2) and ${pendingInvitationSql('i', '$3')}`,
        [invitationId, user.email, ctx.clock.now()],
      );
      throw found.rows.length ? operatorInvitedError(user.email) : noSuchInvitation(invitationId, user.email);
    }
    // Consuming the invitation with a compare-and-set makes a double submit harmless.
    const { rows } = await tx.query<{ accountId: number; role: Role }>(
      `update invitations i set accepted_at = $3
        where i.id = $1 and lower(i.email) = lower($2) and ${pendingInvitationSql('i', '$3')}
          and i.account_id in (select id from accounts where status = 'ACTIVE')
        returning account_id as "accountId", role`,
      [invitationId, user.email, ctx.clock.now()],
    );
    const invitation = rows[0];
    if (!invitation) throw noSuchInvitation(invitationId, user.email);
    await tx.query(
      `insert into memberships (account_id, user_id, role, created_at) values ($1, $2, $3, $4)
       on conflict (account_id, user_id) do nothing`,
      [invitation.accountId, user.userId, invitation.role, ctx.clock.now()],
    );
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: user.userId,
      accountId: invitation.accountId,
      action: 'member.joined',
      subject: `user:${user.userId}`,
      detail: { invitationId, via: 'session' },
    });
    return { accountId: invitation.accountId };
  });
}

/** The invitation stops being pending; the account's admins no longer see it and may invite again. */
export async function declineMyInvitation(ctx: ServiceContext, user: SessionUser, invitationId: number): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const { rows } = await tx.query<{ accountId: number }>(
      `update invitations i set declined_at = $3
        where i.id = $1 and lower(i.email) = lower($2) and ${pendingInvitationSql('i', '$3')}
        returning account_id as "accountId"`,
      [invitationId, user.email, ctx.clock.now()],
    );
    if (!rows[0]) throw noSuchInvitation(invitationId, user.email);
    await recordAuditEvent(tx, {
      at: ctx.clock.now(),
      actorUserId: user.userId,
      accountId: rows[0].accountId,
      action: 'member.declined',
      subject: `invitation:${invitationId}`,
    });
  });
}

import { createHash } from 'node:crypto';
import type { ServiceContext } from '../../core/context.js';
import { forbidden, invalid } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import { requireAccountActor, type Actor } from '../accounts/actor.js';
import { findAccounts, listMembershipsOfUser } from '../accounts/queries.js';
import { CHANGE_REASON_CODES } from '../actions/types.js';
import { queueTicketEmailsInTx } from './notify.js';
import { getTicketOrThrow } from './queries.js';
import { TICKET_LIMITS, type AttachmentInput, type TicketRequest, type TicketRow, type TicketType } from './types.js';
import { recordTicketUpdated } from './ticket-events.js';

export interface OpenTicketInput {
  type: TicketType;
  subject: string;
  message: string;
  /** The accounts it concerns; the current account when none is named. */
  accountIds?: readonly number[];
  actionIds?: readonly (bigint | string)[];
  request?: TicketRequest;
  attachments?: readonly AttachmentInput[];
}

/** The kinds of account each type is for, and whether it names actions. */
const TYPE_RULES: Record<TicketType, { accountKind?: 'BRAND' | 'PARTNER'; needsActions?: boolean; adminOnly?: boolean }> = {
  GENERAL: {},
  MANUAL_PAYSTUB: { accountKind: 'PARTNER', adminOnly: true },
  FORFEIT_BALANCE: { accountKind: 'PARTNER', adminOnly: true },
  ACCOUNT_CLOSURE: { accountKind: 'PARTNER', adminOnly: true },
  REATTRIBUTION: { accountKind: 'BRAND', needsActions: true },
  CPC_REVERSAL: { accountKind: 'BRAND', needsActions: true },
};

/**
 * Opens a ticket for the current account: its subject, type, first message (with any
 * attachments) and what it concerns. A user may name only accounts it administers (beyond
 * the current one, which any member may name for a GENERAL ticket), and only actions its
 * current account can see; a refusal says which.
 */
export async function openTicket(ctx: ServiceContext, actor: Actor, input: OpenTicketInput): Promise<TicketRow> {
  const user = requireAccountActor(actor);
  const subject = input.subject.trim();
  if (subject === '') throw invalid('Subject: say in a line what the ticket is about.');
  if ([...subject].length > TICKET_LIMITS.subjectChars) throw invalid(`Subject: at most ${TICKET_LIMITS.subjectChars} characters (got ${[...subject].length}).`);
  const message = checkMessage(input.message);
  const rules = TYPE_RULES[input.type];
  if (rules.accountKind && user.accountKind !== rules.accountKind) {
    throw forbidden(`A ${input.type} ticket is opened from a ${rules.accountKind.toLowerCase()} account; the current account is a ${user.accountKind.toLowerCase()}.`);
  }
  const accountIds = [...new Set(input.accountIds?.length ? input.accountIds : [user.accountId])];
  if (accountIds.length > TICKET_LIMITS.accounts) throw invalid(`AccountIds: at most ${TICKET_LIMITS.accounts} accounts on one ticket.`);
  const actionIds = [...new Set((input.actionIds ?? []).map((id) => BigInt(id)))];
  if (actionIds.length > TICKET_LIMITS.actions) throw invalid(`ActionIds: at most ${TICKET_LIMITS.actions} actions on one ticket.`);
  if (rules.needsActions && actionIds.length === 0) throw invalid(`ActionIds: a ${input.type} ticket names the actions it is about.`);
  const request = checkRequest(input.type, input.request ?? {});
  if (input.request?.deleteMemberAccount) request.deleteMemberUserId = user.userId;
  const attachments = checkAttachments(input.attachments ?? []);
  const now = ctx.clock.now();

  return ctx.db.transaction(async (tx) => {
    await checkAccountsNamed(tx, user.userId, user.accountId, accountIds, input.type, rules);
    await checkActionsVisible(tx, user.accountId, user.accountKind, actionIds);
    if (request.toPartnerAccountId !== undefined) {
      const partner = (await findAccounts(tx, [request.toPartnerAccountId])).get(request.toPartnerAccountId);
      if (partner?.kind !== 'PARTNER' || partner.status !== 'ACTIVE') throw invalid(`ToPartnerId: ${request.toPartnerAccountId} is not an active partner account.`);
    }
    const { rows } = await tx.query<{ id: bigint }>(
      `insert into tickets (account_id, opened_by_user_id, type, subject, request, opened_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $6) returning id`,
      [user.accountId, user.userId, input.type, subject, JSON.stringify(request), now],
    );
    const id = rows[0]!.id;
    await tx.query('insert into ticket_accounts (ticket_id, account_id) select $1, unnest($2::int[])', [id.toString(), accountIds]);
    if (actionIds.length) {
      await tx.query('insert into ticket_actions (ticket_id, action_id) select $1, unnest($2::bigint[])', [id.toString(), actionIds.map(String)]);
    }
    await insertMessage(tx, id, 'ACCOUNT', user.userId, message, attachments, now);
    await queueTicketEmailsInTx(tx, now, id, { kind: 'opened', message });
    await recordTicketUpdated(tx, id, now);
    return getTicketOrThrow(tx, actor, id);
  });
}

export function checkMessage(text: string): string {
  const message = text.trim();
  if (message === '') throw invalid('Message: write what you need (it cannot be empty).');
  if ([...message].length > TICKET_LIMITS.messageChars) throw invalid(`Message: at most ${TICKET_LIMITS.messageChars.toLocaleString('en-US')} characters.`);
  return message;
}

export function checkAttachments(files: readonly AttachmentInput[]): AttachmentInput[] {
  if (files.length > TICKET_LIMITS.attachmentsPerMessage) throw invalid(`Attachments: at most ${TICKET_LIMITS.attachmentsPerMessage} files a message.`);
  return files.map((file, n) => {
    const name = file.fileName.trim();
    if (name === '' || name.length > 200 || /[\\/\0]/.test(name)) throw invalid(`Attachments[${n}].FileName: a file name of 1 to 200 characters, without / or \\.`);
    if (file.bytes.length === 0) throw invalid(`Attachments[${n}]: ${name} is empty.`);
    if (file.bytes.length > TICKET_LIMITS.attachmentBytes) {
      throw invalid(`Attachments[${n}]: ${name} is ${file.bytes.length.toLocaleString('en-US')} bytes; at most ${TICKET_LIMITS.attachmentBytes.toLocaleString('en-US')} a file.`);
    }
    return { ...file, fileName: name };
  });
}

function checkRequest(type: TicketType, request: TicketRequest): TicketRequest {
  const out: TicketRequest = {};
  if (request.currency !== undefined) {
    if (type !== 'MANUAL_PAYSTUB' && type !== 'FORFEIT_BALANCE') throw invalid(`Currency: only a MANUAL_PAYSTUB or FORFEIT_BALANCE ticket names a currency.`);
    if (!/^[A-Z]{3}$/.test(request.currency)) throw invalid('Currency: an ISO 4217 code such as USD.');
    out.currency = request.currency;
  }
  if (type === 'REATTRIBUTION') {
    if (request.toPartnerAccountId === undefined) throw invalid('ToPartnerId: a REATTRIBUTION ticket names the partner the actions should be credited to.');
    out.toPartnerAccountId = request.toPartnerAccountId;
  } else if (request.toPartnerAccountId !== undefined) {
    throw invalid('ToPartnerId: only a REATTRIBUTION ticket names a partner to credit.');
  }
  if (type === 'REATTRIBUTION' || type === 'CPC_REVERSAL') {
    const reason = request.reason ?? (type === 'REATTRIBUTION' ? 'CREDITED_DIFFERENT_MP' : 'CONS_FRAUD');
    if (!(CHANGE_REASON_CODES as readonly string[]).includes(reason)) throw invalid(`Reason: one of ${CHANGE_REASON_CODES.join(', ')}.`);
    out.reason = reason;
  } else if (request.reason !== undefined) {
    throw invalid('Reason: only a REATTRIBUTION or CPC_REVERSAL ticket takes a reason code.');
  }
  if (request.deleteMemberAccount && type !== 'ACCOUNT_CLOSURE') throw invalid('DeleteMemberAccount: only an ACCOUNT_CLOSURE ticket deletes a login.');
  return out;
}

async function checkAccountsNamed(
  tx: Sql,
  userId: number,
  currentAccountId: number,
  accountIds: readonly number[],
  type: TicketType,
  rules: (typeof TYPE_RULES)[TicketType],
): Promise<void> {
  const memberships = new Map((await listMembershipsOfUser(tx, userId)).map((m) => [m.accountId, m]));
  for (const id of accountIds) {
    const membership = memberships.get(id);
    // Naming an account the user has no part in says nothing about it: the same words whether it exists or not.
    if (!membership) throw forbidden(`You can name only accounts you belong to; account ${id} is not one of them.`);
    if (rules.accountKind && membership.accountKind !== rules.accountKind) {
      throw invalid(`AccountIds: a ${type} ticket names ${rules.accountKind.toLowerCase()} accounts; ${membership.accountName} is a ${membership.accountKind.toLowerCase()}.`);
    }
    const needsAdmin = rules.adminOnly || id !== currentAccountId;
    if (needsAdmin && membership.role !== 'ADMIN') {
      throw forbidden(`Only an admin of ${membership.accountName} can ${rules.adminOnly ? `open a ${type} ticket for it` : 'name it on a ticket'}.`);
    }
  }
}

async function checkActionsVisible(tx: Sql, accountId: number, kind: 'BRAND' | 'PARTNER' | string, actionIds: readonly bigint[]): Promise<void> {
  if (actionIds.length === 0) return;
  const column = kind === 'BRAND' ? 'brand_account_id' : 'partner_account_id';
  const { rows } = await tx.query<{ id: string }>(`select id::text from actions where id = any($1::bigint[]) and ${column} = $2`, [actionIds.map(String), accountId]);
  const seen = new Set(rows.map((row) => row.id));
  const missing = actionIds.filter((id) => !seen.has(id.toString()));
  if (missing.length) throw invalid(`ActionIds: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''} ${missing.length === 1 ? 'is not an action' : 'are not actions'} of this account.`);
}

/** A message and its attachments, in the caller's transaction; the ticket's updated time moves. */
export async function insertMessage(
  tx: Sql,
  ticketId: bigint,
  authorKind: 'ACCOUNT' | 'OPERATOR' | 'SYSTEM',
  userId: number | null,
  body: string,
  attachments: readonly AttachmentInput[],
  now: Date,
): Promise<bigint> {
  const { rows } = await tx.query<{ id: bigint }>(
    'insert into ticket_messages (ticket_id, author_kind, author_user_id, body, at) values ($1, $2, $3, $4, $5) returning id',
    [ticketId.toString(), authorKind, userId, body, now],
  );
  const messageId = rows[0]!.id;
  for (const file of attachments) {
    await tx.query(
      'insert into ticket_attachments (message_id, file_name, content_type, size_bytes, sha256, bytes) values ($1, $2, $3, $4, $5, $6)',
      [messageId.toString(), file.fileName, file.contentType, file.bytes.length, createHash('sha256').update(file.bytes).digest('hex'), file.bytes],
    );
  }
  await tx.query('update tickets set updated_at = $2 where id = $1', [ticketId.toString(), now]);
  return messageId;
}

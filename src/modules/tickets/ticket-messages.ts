import type { ServiceContext } from '../../core/context.js';
import { conflict } from '../../core/errors.js';
import type { Sql } from '../../db/types.js';
import type { Actor } from '../accounts/actor.js';
import { queueTicketEmailsInTx, type TicketEvent } from './notify.js';
import { checkAttachments, checkMessage, insertMessage } from './open-ticket.js';
import { getTicketOrThrow } from './queries.js';
import type { SETTABLE_TICKET_STATUSES, AttachmentInput, TicketRow } from './types.js';
import { recordTicketUpdated } from './ticket-events.js';

/**
 * A message on a ticket, from one of its account's users or from an operator, with any
 * attachments. A closed ticket (resolved or rejected) takes no more: a new one is opened.
 */
export async function addTicketMessage(
  ctx: ServiceContext,
  actor: Actor,
  ticketId: bigint,
  input: { message: string; attachments?: readonly AttachmentInput[] },
): Promise<TicketRow> {
  const message = checkMessage(input.message);
  const attachments = checkAttachments(input.attachments ?? []);
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const ticket = await lockTicketOrThrow(tx, actor, ticketId);
    if (ticket.status === 'RESOLVED' || ticket.status === 'REJECTED') {
      throw conflict(`Ticket ${ticketId} is ${ticket.status.toLowerCase()}; open a new ticket to ask for more.`);
    }
    const authorKind = actor.type === 'operator' ? 'OPERATOR' : 'ACCOUNT';
    await insertMessage(tx, ticketId, authorKind, actor.userId, message, attachments, now);
    await queueTicketEmailsInTx(tx, now, ticketId, { kind: 'message', authorKind, message });
    await recordTicketUpdated(tx, ticketId, now);
    return getTicketOrThrow(tx, actor, ticketId);
  });
}

/** The ticket, locked for the rest of the caller's transaction (404 for one the actor may not see). */
export async function lockTicketOrThrow(tx: Sql, actor: Actor, ticketId: bigint): Promise<TicketRow> {
  await getTicketOrThrow(tx, actor, ticketId);
  await tx.query('select 1 from tickets where id = $1 for update', [ticketId.toString()]);
  return getTicketOrThrow(tx, actor, ticketId);
}

/**
 * An operator takes a ticket into review, or rejects it with a message to the requester
 * saying why. Resolving is not set here: it performs what the ticket asks
 * (src/flows/resolve-ticket.ts).
 */
export async function setTicketStatus(
  ctx: ServiceContext,
  actor: Actor & { type: 'operator' },
  ticketId: bigint,
  input: { status: (typeof SETTABLE_TICKET_STATUSES)[number]; message?: string },
): Promise<TicketRow> {
  const message = input.message === undefined ? undefined : checkMessage(input.message);
  if (input.status === 'REJECTED' && message === undefined) throw conflictWithoutReason();
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const ticket = await lockTicketOrThrow(tx, actor, ticketId);
    if (ticket.status === 'RESOLVED' || ticket.status === 'REJECTED') throw conflict(`Ticket ${ticketId} is already ${ticket.status.toLowerCase()}.`);
    if (message !== undefined) await insertMessage(tx, ticketId, 'OPERATOR', actor.userId, message, [], now);
    await tx.query(
      `update tickets set status = $2::text, updated_at = $3::timestamptz,
              closed_at = case when $2::text = 'REJECTED' then $3::timestamptz end,
              closed_by_user_id = case when $2::text = 'REJECTED' then $4::int end,
              outcome = case when $2::text = 'REJECTED' then $5::text else outcome end
        where id = $1`,
      [ticketId.toString(), input.status, now, actor.userId, message ?? null],
    );
    const event = statusEvent(ticket.status, input.status, message);
    if (event) await queueTicketEmailsInTx(tx, now, ticketId, event);
    await recordTicketUpdated(tx, ticketId, now);
    return getTicketOrThrow(tx, actor, ticketId);
  });
}

/**
 * What the requester is told of a status set by hand: the review or the rejection with
 * its reason; taking into review a ticket already in review is only its message, if any.
 */
function statusEvent(from: TicketRow['status'], to: (typeof SETTABLE_TICKET_STATUSES)[number], message: string | undefined): TicketEvent | undefined {
  if (to === 'REJECTED') return { kind: 'rejected', reason: message! };
  if (from !== 'IN_REVIEW') return { kind: 'in-review', message };
  return message === undefined ? undefined : { kind: 'message', authorKind: 'OPERATOR', message };
}

function conflictWithoutReason() {
  return conflict('A rejection tells the requester why: give Message.');
}

/**
 * Marks a ticket resolved with what resolving it did, in the caller's transaction (the
 * flow that performed it), with a message from the platform to the requester, and the
 * requester's e-mail of the outcome when e-mail is configured.
 */
export async function markTicketResolved(tx: Sql, ticketId: bigint, operatorUserId: number, outcome: string, now: Date): Promise<void> {
  await insertMessage(tx, ticketId, 'SYSTEM', null, outcome, [], now);
  await tx.query(
    `update tickets set status = 'RESOLVED', closed_at = $2, closed_by_user_id = $3, outcome = $4, updated_at = $2,
            claimed_by_user_id = null, claimed_until = null
      where id = $1`,
    [ticketId.toString(), now, operatorUserId, outcome],
  );
  await queueTicketEmailsInTx(tx, now, ticketId, { kind: 'resolved', outcome });
  await recordTicketUpdated(tx, ticketId, now);
}

/** Holds a ticket for one operator while it is resolved (so a second one at the same time is told so), in the caller's transaction. */
export async function claimTicket(tx: Sql, ticketId: bigint, operatorUserId: number, until: Date): Promise<void> {
  await tx.query(`update tickets set claimed_by_user_id = $2, claimed_until = $3, status = 'IN_REVIEW' where id = $1`, [ticketId.toString(), operatorUserId, until]);
}

/** Lets go of a claim (the operation was refused): the ticket stays in review. */
export async function releaseTicketClaim(tx: Sql, ticketId: bigint): Promise<void> {
  await tx.query('update tickets set claimed_by_user_id = null, claimed_until = null where id = $1', [ticketId.toString()]);
}

/** Whether another operator holds the ticket now. */
export async function ticketClaim(tx: Sql, ticketId: bigint): Promise<{ userId: number | null; until: Date | null }> {
  const { rows } = await tx.query<{ userId: number | null; until: Date | null }>(
    'select claimed_by_user_id as "userId", claimed_until as until from tickets where id = $1',
    [ticketId.toString()],
  );
  return rows[0] ?? { userId: null, until: null };
}

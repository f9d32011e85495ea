import type { ServiceContext } from '../core/context.js';
import { conflict, DomainError } from '../core/errors.js';
import { requireOperator, type Actor } from '../modules/accounts/actor.js';
import { applyActionOperation } from '../modules/actions/apply-action-operation.js';
import type { ChangeReasonCode } from '../modules/actions/types.js';
import { getTicketOrThrow } from '../modules/tickets/queries.js';
import { insertMessage } from '../modules/tickets/open-ticket.js';
import { claimTicket, lockTicketOrThrow, markTicketResolved, releaseTicketClaim, ticketClaim } from '../modules/tickets/ticket-messages.js';
import type { TicketRow } from '../modules/tickets/types.js';
import { formatMinor } from '../money/index.js';
import { closeAccount } from './close-account.js';
import { closureEligibility } from './closure-eligibility.js';
import { forfeitBalance } from './forfeit-balance.js';
import { grantManualPaystub } from './grant-manual-paystub.js';

/** How long an operator's claim on a ticket being resolved holds, should its process stop half-way. */
export const TICKET_CLAIM_MS = 5 * 60_000;

/**
 * Resolves a ticket by performing what it asks, through the same services as everywhere
 * else (the manual paystub, the forfeit, the re-attribution and CPC reversal of actions),
 * and records what was done on the ticket, for the requester to read. First the ticket is
 * claimed for this operator (a second operator resolving it at the same moment is told
 * who holds it); a refusal of the operation leaves the ticket in review, tells the
 * requester why, and comes back to the operator as the answer. Each operation checks its
 * own state, so resolving again after a crash between the operation and the record does
 * not perform it twice: the paystub or forfeit finds no balance left, a re-attributed or
 * reversed action is refused as such.
 */
export async function resolveTicket(ctx: ServiceContext, actor: Actor, ticketId: bigint, input: { message?: string } = {}): Promise<TicketRow> {
  const operator = requireOperator(actor);
  const now = ctx.clock.now();
  const ticket = await ctx.db.transaction(async (tx) => {
    const locked = await lockTicketOrThrow(tx, operator, ticketId);
    if (locked.status === 'RESOLVED' || locked.status === 'REJECTED') throw conflict(`Ticket ${ticketId} is already ${locked.status.toLowerCase()}.`);
    const claim = await ticketClaim(tx, ticketId);
    if (claim.userId !== null && claim.userId !== operator.userId && claim.until && claim.until > now) {
      throw conflict(`Ticket ${ticketId} is being resolved by another operator right now; look again in a moment.`);
    }
    await claimTicket(tx, ticketId, operator.userId, new Date(now.getTime() + TICKET_CLAIM_MS));
    return locked;
  });
  let outcome: string;
  try {
    outcome = await perform(ctx, operator, ticket);
  } catch (error) {
    if (error instanceof DomainError) {
      await ctx.db.transaction(async (tx) => {
        await insertMessage(tx, ticketId, 'SYSTEM', null, `Not done yet: ${error.message}`, [], ctx.clock.now());
        await releaseTicketClaim(tx, ticketId);
      });
    }
    throw error;
  }
  const note = input.message?.trim();
  await ctx.db.transaction((tx) => markTicketResolved(tx, ticketId, operator.userId, note ? `${outcome}\n\n${note}` : outcome, ctx.clock.now()));
  return getTicketOrThrow(ctx.db, operator, ticketId);
}

async function perform(ctx: ServiceContext, operator: Actor & { type: 'operator' }, ticket: TicketRow): Promise<string> {
  switch (ticket.type) {
    case 'GENERAL':
      return 'Resolved.';
    case 'MANUAL_PAYSTUB': {
      const lines: string[] = [];
      for (const partnerAccountId of ticket.accountIds) {
        const { paystub } = await grantManualPaystub(ctx, operator, {
          partnerAccountId,
          ...(ticket.request.currency ? { currency: ticket.request.currency } : {}),
        });
        lines.push(
          `Manual paystub ${paystub.id} for ${paystub.partnerName}: ${money(paystub.grossMinor, paystub.currency)} (fee ${money(paystub.feeMinor, paystub.currency)}, net ${money(paystub.netMinor, paystub.currency)}).`,
        );
      }
      return lines.join('\n');
    }
    case 'FORFEIT_BALANCE': {
      const lines: string[] = [];
      for (const partnerAccountId of ticket.accountIds) {
        const forfeit = await forfeitBalance(ctx, operator, {
          partnerAccountId,
          ...(ticket.request.currency ? { currency: ticket.request.currency } : {}),
          reason: `Ticket ${ticket.id}: ${ticket.subject}`,
        });
        lines.push(`Forfeited ${money(forfeit.amountMinor, forfeit.currency)} of account ${partnerAccountId} (forfeit ${forfeit.id}).`);
      }
      return lines.join('\n');
    }
    case 'REATTRIBUTION':
    case 'CPC_REVERSAL': {
      const reason = (ticket.request.reason ?? (ticket.type === 'REATTRIBUTION' ? 'CREDITED_DIFFERENT_MP' : 'CONS_FRAUD')) as ChangeReasonCode;
      const outcomes = await applyActionOperation(
        ctx,
        operator,
        ticket.actionIds,
        ticket.type === 'REATTRIBUTION' ? { op: 'REATTRIBUTE', reason, partnerAccountId: ticket.request.toPartnerAccountId! } : { op: 'REVERSE_CPC', reason },
      );
      const done = outcomes.filter((o) => o.ok);
      const refused = outcomes.filter((o) => !o.ok);
      if (done.length === 0) {
        throw conflict(`None of the ticket's actions could be ${verb(ticket)}: ${refused.slice(0, 5).map((o) => `action ${o.actionId}: ${o.message}`).join('; ')}.`);
      }
      return [
        `${done.length} of ${outcomes.length} action(s) ${verb(ticket)}: ${done.map((o) => o.actionId).join(', ')}.`,
        ...refused.map((o) => `Action ${o.actionId} not ${verb(ticket)}: ${o.message}`),
      ].join('\n');
    }
    case 'ACCOUNT_CLOSURE':
      return closeTicketAccounts(ctx, operator, ticket);
  }
}

/**
 * The final review's close: each account the ticket names is checked again now and, when
 * eligible, closed in a flow of its own (src/flows/close-account.ts); an account already
 * closed counts as done. When some stay blocked the ticket stays in review with what
 * blocks them (the accounts closed meanwhile stay closed), and resolving again later
 * closes the rest.
 */
async function closeTicketAccounts(ctx: ServiceContext, operator: Actor & { type: 'operator' }, ticket: TicketRow): Promise<string> {
  const closed: string[] = [];
  const blocked: string[] = [];
  const deleteUserIds = ticket.request.deleteMemberUserId === undefined ? [] : [ticket.request.deleteMemberUserId];
  for (const eligibility of await closureEligibility(ctx.db, ticket.accountIds, ctx.clock.now())) {
    if (eligibility.status === 'CLOSED') {
      closed.push(`Account ${eligibility.accountId} is closed.`);
      continue;
    }
    try {
      await closeAccount(ctx, { accountId: eligibility.accountId, operatorUserId: operator.userId, ticketId: ticket.id.toString(), deleteUserIds });
      closed.push(`Account ${eligibility.accountId} closed: its users no longer have access and its personal data is erased.`);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      blocked.push(`Account ${eligibility.accountId} (${eligibility.name}) is not closed: ${error.message}`);
    }
  }
  if (blocked.length) {
    throw conflict([...closed, ...blocked].join(' '));
  }
  return closed.join('\n');
}

function verb(ticket: TicketRow): string {
  return ticket.type === 'REATTRIBUTION' ? `re-attributed to partner ${ticket.request.toPartnerAccountId}` : 'reversed';
}

function money(minor: bigint, currency: string): string {
  return `${formatMinor(minor, currency)} ${currency}`;
}

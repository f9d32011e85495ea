/**
 * Ticket e-mails (issue 15, item 1), through the outbox like invitations
 * (src/outbox/emails.ts): queued in the transaction of the change they tell about, so an
 * e-mail leaves only for a change that committed, and only when SMTP_RELAY_URL is set.
 * The requester hears of what the support team does (a reply, a review, a rejection and
 * its reason, the outcome of resolving); the operators hear of what needs them (a new
 * ticket, the account's reply); the other admins of the accounts a ticket names hear that
 * it was opened in their accounts' name. One row a recipient; nothing reaches the logs.
 */
import type { Sql } from '../../db/types.js';
import { mailPublicUrl, queueEmailInTx, type EmailMessage } from '../../outbox/emails.js';
import type { TicketType } from './types.js';

/** What happened to a ticket, as the e-mails tell it. */
export type TicketEvent =
  | { kind: 'opened'; message: string }
  | { kind: 'message'; authorKind: 'ACCOUNT' | 'OPERATOR'; message: string }
  | { kind: 'in-review'; message?: string | undefined }
  | { kind: 'rejected'; reason: string }
  | { kind: 'resolved'; outcome: string };

/**
 * At most this many e-mails for one change: a ticket names at most 50 accounts, each with
 * its admins, and the platform has a handful of operators; past this, the rest read it in
 * the app.
 */
export const TICKET_EMAILS_MAX = 100;

const WHAT_IT_ASKS: Record<TicketType, string> = {
  GENERAL: 'a question',
  MANUAL_PAYSTUB: 'a manual paystub of a balance below its threshold',
  FORFEIT_BALANCE: 'the forfeit of a balance',
  ACCOUNT_CLOSURE: 'the closure of partner accounts',
  REATTRIBUTION: 'the re-attribution of actions to another partner',
  CPC_REVERSAL: 'the reversal of CPC actions',
};

interface TicketFacts {
  id: string;
  subject: string;
  type: TicketType;
  accountName: string;
  openedByUserId: number | null;
}

interface Recipient {
  userId: number;
  email: string;
  name: string;
}

type Audience = 'requester' | 'operators' | 'admins';

interface Email {
  audience: Audience;
  purpose: string;
  subject: string;
  lines: string[];
  /** Where the recipient follows the ticket: the account's pages, or the operator console for operators. */
  path: 'account' | 'operator';
}

/**
 * Queues the e-mails an event on a ticket sends, in the caller's transaction (the one that
 * made the change); the number queued, 0 when e-mail is not configured.
 */
export async function queueTicketEmailsInTx(tx: Sql, at: Date, ticketId: bigint, event: TicketEvent): Promise<number> {
  const publicUrl = mailPublicUrl();
  if (!publicUrl) return 0;
  const { rows } = await tx.query<TicketFacts>(
    `select t.id::text as id, t.subject, t.type, a.name as "accountName", t.opened_by_user_id as "openedByUserId"
       from tickets t join accounts a on a.id = t.account_id where t.id = $1`,
    [ticketId.toString()],
  );
  const ticket = rows[0]!;
  let queued = 0;
  for (const email of emailsFor(ticket, event)) {
    const link = `${publicUrl}${email.path === 'operator' ? '/operator' : '/help'}/tickets/${ticket.id}`;
    for (const recipient of await recipients(tx, ticket, email.audience)) {
      if (queued >= TICKET_EMAILS_MAX) return queued;
      const message: EmailMessage = {
        to: recipient.email,
        subject: email.subject,
        text: [`Hello ${recipient.name},`, '', ...email.lines, '', `Follow the ticket and reply: ${link}`].join('\n'),
      };
      if (await queueEmailInTx(tx, at, { purpose: email.purpose, subject: `ticket:${ticket.id}`, message })) queued += 1;
    }
  }
  return queued;
}

/** The wording of each event, for each audience it goes to. */
function emailsFor(ticket: TicketFacts, event: TicketEvent): Email[] {
  const ref = `ticket #${ticket.id} (${ticket.subject})`;
  const quoted = (text: string) => text.split('\n').map((line) => `> ${line}`);
  const email = (audience: Audience, purpose: string, subject: string, lines: string[]): Email => ({
    audience,
    purpose,
    subject: `${subject}: ${ticket.subject}`,
    lines,
    path: audience === 'operators' ? 'operator' : 'account',
  });
  const asks = WHAT_IT_ASKS[ticket.type];
  switch (event.kind) {
    case 'opened':
      return [
        email('requester', 'ticket-opened', `We received your ticket #${ticket.id}`, [
          `Lockstep's support team received your ${ref} for ${ticket.accountName}, which asks for ${asks}.`,
          'We write to you here when we reply, take it into review, or resolve it.',
        ]),
        email('admins', 'ticket-opened', `A ticket was opened for ${ticket.accountName}`, [
          `A user of ${ticket.accountName} opened ${ref}, which asks for ${asks} of an account you administer.`,
          'If you did not expect it, say so on the ticket before Lockstep resolves it.',
        ]),
        email('operators', 'ticket-opened', `New ticket #${ticket.id} from ${ticket.accountName}`, [
          `${ticket.accountName} opened ${ref}, which asks for ${asks}:`,
          '',
          ...quoted(event.message),
        ]),
      ];
    case 'message':
      return event.authorKind === 'OPERATOR'
        ? [email('requester', 'ticket-reply', `Reply on your ticket #${ticket.id}`, [`Lockstep's support team replied on your ${ref}:`, '', ...quoted(event.message)])]
        : [email('operators', 'ticket-reply', `Reply from ${ticket.accountName} on ticket #${ticket.id}`, [`${ticket.accountName} wrote on ${ref}:`, '', ...quoted(event.message)])];
    case 'in-review':
      return [
        email('requester', 'ticket-in-review', `Your ticket #${ticket.id} is in review`, [
          `Lockstep's support team is looking into your ${ref}.`,
          ...(event.message ? ['', ...quoted(event.message)] : []),
        ]),
      ];
    case 'rejected':
      return [
        email('requester', 'ticket-rejected', `Your ticket #${ticket.id} was rejected`, [
          `Lockstep's support team rejected your ${ref}, and did not do what it asks. The reason:`,
          '',
          ...quoted(event.reason),
          '',
          'The ticket is closed; to ask again, open a new one.',
        ]),
      ];
    case 'resolved':
      return [
        email('requester', 'ticket-resolved', `Your ticket #${ticket.id} is resolved`, [`Lockstep's support team resolved your ${ref}. What was done:`, '', ...quoted(event.outcome)]),
      ];
  }
}

/** Who an audience is now: active logins only. */
async function recipients(tx: Sql, ticket: TicketFacts, audience: Audience): Promise<Recipient[]> {
  const who: Record<Audience, { where: string; params: unknown[] }> = {
    requester: { where: 'u.id = $2', params: [ticket.openedByUserId] },
    operators: { where: 'u.is_operator', params: [] },
    // The admins of every account the ticket names (for a closure, each account closed), the requester aside.
    admins: {
      where: `u.id is distinct from $2::int and u.id in (select m.user_id from memberships m join ticket_accounts ta on ta.account_id = m.account_id
                                                         where ta.ticket_id = $3 and m.role = 'ADMIN')`,
      params: [ticket.openedByUserId, ticket.id],
    },
  };
  const { where, params } = who[audience];
  const { rows } = await tx.query<Recipient>(
    `select u.id as "userId", u.email, u.name from users u
      where ${where} and u.disabled_at is null and u.email is not null
      order by u.id limit $1`,
    [TICKET_EMAILS_MAX, ...params],
  );
  return rows;
}

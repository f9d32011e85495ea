import type { ManualClock } from '../core/clock.js';
import type { ServiceContext } from '../core/context.js';
import type { AccountActor, OperatorActor } from '../modules/accounts/actor.js';
import { openTicket } from '../modules/tickets/open-ticket.js';
import { addTicketMessage, setTicketStatus } from '../modules/tickets/ticket-messages.js';

const HOUR_MS = 3_600_000;

/**
 * Open support tickets of several kinds, as the queue looks on an ordinary week, made
 * through the tickets module like any other: Deal Hunter Media's question about its bank
 * details; Style Creator's manual paystub of its GBP balance, in review after a reply each
 * way; and Acme Outdoor's re-attribution of two of Deal Hunter Media's pending sales to
 * Style Creator and its CPC reversal of three of Deal Hunter Media's clicks, on real
 * actions. None of them names Trail Blog or the small partners the closure flow is for,
 * so their numbers and closure stay as the other demo facts say.
 */
export async function seedTickets(
  ctx: ServiceContext,
  clock: ManualClock,
  actors: { operator: OperatorActor; acme: AccountActor; deals: AccountActor; style: AccountActor },
): Promise<void> {
  const realNow = clock.now();
  const at = (hoursAgo: number) => clock.set(new Date(realNow.getTime() - hoursAgo * HOUR_MS));
  // Actions of events before the first ticket, so each had happened when it was named.
  const pendingOfDeals = async (kind: 'SALE' | 'CLICK', count: number) => {
    const { rows } = await ctx.db.query<{ id: string }>(
      `select id::text from actions where brand_account_id = $1 and partner_account_id = $2 and state = 'PENDING' and event_kind = $3 and event_at < $4
        order by id limit $5`,
      [actors.acme.accountId, actors.deals.accountId, kind, new Date(realNow.getTime() - 80 * HOUR_MS), count],
    );
    return rows.map((row) => row.id);
  };
  const sales = await pendingOfDeals('SALE', 2);
  const clicks = await pendingOfDeals('CLICK', 3);

  at(76);
  await openTicket(ctx, actors.deals, {
    type: 'GENERAL',
    subject: 'Where do I enter our bank details?',
    message: 'Our balance keeps growing but nothing is paid out. Where do we say which account the money goes to?',
  });

  at(52);
  const paystub = await openTicket(ctx, actors.style, {
    type: 'MANUAL_PAYSTUB',
    subject: 'Pay our GBP balance before the 15th',
    message: 'We are changing banks at the end of the month; please pay what is available now rather than on the 15th.',
    request: { currency: 'GBP' },
  });
  at(50);
  await addTicketMessage(ctx, actors.operator, paystub.id, { message: 'Happy to. Is the account on file still the one to pay, or the new bank already?' });
  at(47);
  await addTicketMessage(ctx, actors.style, paystub.id, { message: 'The one on file, please: the new account opens next month.' });
  at(30);
  await setTicketStatus(ctx, actors.operator, paystub.id, {
    status: 'IN_REVIEW',
    message: 'Thanks. We are checking the balance against the last statements; the paystub follows once they are cleared.',
  });

  if (sales.length) {
    at(26);
    await openTicket(ctx, actors.acme, {
      type: 'REATTRIBUTION',
      subject: 'Two orders came from Style Creator',
      message: 'These two orders came through a Style Creator gift guide; Deal Hunter Media only showed the coupon. Please credit them to Style Creator.',
      actionIds: sales,
      request: { toPartnerAccountId: actors.style.accountId },
    });
  }
  if (clicks.length) {
    at(5);
    await openTicket(ctx, actors.acme, {
      type: 'CPC_REVERSAL',
      subject: 'Bot clicks from one address',
      message: 'These clicks came within seconds of each other from one data-centre address; the attached export shows them.',
      actionIds: clicks,
      attachments: [
        {
          fileName: 'bot-clicks.csv',
          contentType: 'text/csv',
          bytes: Buffer.from(`action_id,reason\n${clicks.map((id) => `${id},same address within seconds`).join('\n')}\n`),
        },
      ],
    });
  }
  clock.set(realNow);
}

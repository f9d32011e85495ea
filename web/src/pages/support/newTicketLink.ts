/**
 * Links that open Help → Tickets' New ticket form already filled in: where the UI says an
 * operation needs support, the user goes straight to the ticket that asks for it. The form
 * reads these query parameters (TicketsPage); the user still reads, completes and sends it.
 */
import { TICKET_TYPES, type TicketType } from '@contract/enums';

export const TICKETS_PATH = '/help/tickets';

export interface TicketPrefill {
  type?: TicketType;
  subject?: string;
  /** Action ids, separated by commas. */
  actionIds?: string;
  message?: string;
  /** The account the ticket is for; the form opens in it. */
  accountId?: number;
}

/** `/help/tickets?new&type=CPC_REVERSAL&actionIds=1,2&subject=…`: the form, prefilled. */
export function newTicketPath(prefill: Omit<TicketPrefill, 'actionIds'> & { actionIds?: readonly string[] }): string {
  const params = new URLSearchParams({ new: '' });
  if (prefill.type) params.set('type', prefill.type);
  if (prefill.subject) params.set('subject', prefill.subject);
  if (prefill.actionIds?.length) params.set('actionIds', prefill.actionIds.join(','));
  if (prefill.message) params.set('message', prefill.message);
  if (prefill.accountId) params.set('account', String(prefill.accountId));
  // `new=` reads as `new` alone: the form's flag has no value.
  return `${TICKETS_PATH}?${params.toString().replace(/^new=/, 'new')}`;
}

/** What the form starts with, from the address (unknown or malformed values are left out). */
export function ticketPrefillOf(params: URLSearchParams): TicketPrefill {
  const type = TICKET_TYPES.find((t) => t === params.get('type'));
  const actionIds = (params.get('actionIds') ?? params.get('actions') ?? '')
    .split(/[\s,;]+/)
    .filter((id) => /^[1-9]\d{0,17}$/.test(id));
  const account = Number(params.get('account'));
  return {
    ...(type ? { type } : {}),
    ...(params.get('subject') ? { subject: params.get('subject')! } : {}),
    ...(actionIds.length ? { actionIds: actionIds.join(', ') } : {}),
    ...(params.get('message') ? { message: params.get('message')! } : {}),
    ...(Number.isInteger(account) && account > 0 ? { accountId: account } : {}),
  };
}

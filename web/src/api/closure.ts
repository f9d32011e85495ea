/**
 * Closing partner accounts: whether each account may be closed now (GET /closure-eligibility),
 * the tickets that ask for what closing needs (a manual paystub, a forfeit, the closure
 * itself), and the operator's final review of a closure ticket.
 */
import { useQuery } from '@tanstack/react-query';
import type { ClosureEligibilityItem, ClosureReview } from '@contract/closure';
import type { Page } from '@contract/common';
import type { TicketType } from '@contract/enums';
import type { OpenTicketBody, Ticket, TicketDetail } from '@contract/tickets';
import { accountApi, api } from './client';

export type { ClosureEligibilityItem, ClosureReview };

export const closureKeys = {
  all: ['closure'] as const,
  eligibility: (accountIds: readonly number[]) => ['closure', 'eligibility', accountIds.join(',')] as const,
  tickets: (accountId: number, type: TicketType) => ['closure', 'tickets', accountId, type] as const,
  review: (ticketId: string) => ['closure', 'review', ticketId] as const,
};

/** Each chosen account's eligibility, read now (acting for one of the user's accounts: the route checks each id). */
export function useClosureEligibility(actingAccountId: number, accountIds: readonly number[]) {
  return useQuery({
    queryKey: closureKeys.eligibility(accountIds),
    queryFn: () => accountApi(actingAccountId).get<{ Items: ClosureEligibilityItem[] }>('/api/v1/closure-eligibility', { accountIds: accountIds.join(',') }),
    enabled: accountIds.length > 0,
  });
}

const WAITING = new Set<Ticket['Status']>(['OPEN', 'IN_REVIEW']);

/** The account's tickets of one type that an operator has still to perform (open or in review). */
export function useWaitingTickets(accountId: number, type: TicketType) {
  return useQuery({
    queryKey: closureKeys.tickets(accountId, type),
    queryFn: async () => {
      const page = await accountApi(accountId).get<Page<Ticket>>('/api/v1/tickets', { type, pageSize: 100 });
      return page.Items.filter((t) => WAITING.has(t.Status) && t.AccountIds.includes(accountId));
    },
  });
}

/** Opens a ticket for an account (Lockstep-Account: that account). */
export function openTicket(accountId: number, body: OpenTicketBody): Promise<TicketDetail> {
  return accountApi(accountId).post<TicketDetail>('/api/v1/tickets', body);
}

/** Operators: each account a closure ticket names, re-checked now. */
export function useClosureReview(ticketId: string) {
  return useQuery({
    queryKey: closureKeys.review(ticketId),
    queryFn: () => api.get<ClosureReview>(`/api/v1/operator/tickets/${ticketId}/closure-review`),
  });
}

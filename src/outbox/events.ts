/**
 * The events of the outbox: one per state change of an action or a contract. The type
 * says what happened to which resource; the payload is the resource as the API returns it
 * after the change (src/http/contract), so a consumer (a webhook, an e-mail) needs no
 * second request to know what it looks like now.
 */
export const ACTION_EVENT_TYPES = [
  'action.created',
  /** Clicks added to a contract's cost-per-click action of the day (src/modules/actions/accrue-click-actions.ts). */
  'action.accrued',
  'action.approved',
  'action.reversed',
  'action.modified',
  'action.item_rejected',
  'action.restored',
  'action.reset',
  'action.reattributed',
  'action.locked',
  'action.cleared',
  'action.paid',
  'action.payment_returned',
] as const;
export const CONTRACT_EVENT_TYPES = ['contract.accepted', 'contract.expired'] as const;
/** A post-lock correction of an action's payout (src/modules/billing/correct-action.ts). */
export const CORRECTION_EVENT_TYPES = ['correction.created'] as const;
/** Finance: a brand's statement issued and paid (src/modules/billing), a partner's paystub created, paid and failed (src/modules/payouts). */
export const FINANCE_EVENT_TYPES = ['statement.issued', 'statement.paid', 'paystub.created', 'paystub.paid', 'paystub.failed'] as const;
/** A returns batch finished, DONE or FAILED (src/flows/apply-returns-batch.ts); a ticket changed (src/modules/tickets); an account closed (src/flows/close-account.ts). */
export const OTHER_EVENT_TYPES = ['returns_batch.completed', 'ticket.updated', 'account.closed'] as const;
export const EVENT_TYPES = [...ACTION_EVENT_TYPES, ...CONTRACT_EVENT_TYPES, ...CORRECTION_EVENT_TYPES, ...FINANCE_EVENT_TYPES, ...OTHER_EVENT_TYPES] as const;
/**
 * A webhook endpoint's "send test event" (src/modules/webhooks): recorded like any event,
 * for that endpoint alone; no endpoint subscribes to it.
 */
export const WEBHOOK_TEST_EVENT_TYPE = 'webhook.test';
export type EventType = (typeof EVENT_TYPES)[number] | typeof WEBHOOK_TEST_EVENT_TYPE;

export interface OutboxEventInput {
  type: EventType;
  /** The resource, `action:123` or `contract:45`. */
  subject: string;
  /** The accounts the event concerns (the brand and the partner): who may receive it. */
  accountIds: readonly number[];
  payload: unknown;
  occurredAt: Date;
}

export interface OutboxEvent extends Omit<OutboxEventInput, 'accountIds'> {
  id: bigint;
  accountIds: number[];
  recordedAt: Date;
}

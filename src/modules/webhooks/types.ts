import { EVENT_TYPES, type EventType } from '../../outbox/events.js';
import type { DeliveryState } from './states.js';

/** What an endpoint may subscribe to: every event type of the outbox (the test event is sent on request only). */
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_TYPES;
export type SubscribableEventType = (typeof EVENT_TYPES)[number];

export { DELIVERY_STATES, type DeliveryState } from './states.js';

/** How long the previous secret still signs after a rotation. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;
/** A delivery is retried for this long from its first attempt (or its replay), then given up. */
export const RETRY_WINDOW_MS = 3 * 86_400_000;
/** An endpoint whose every attempt failed for this long is disabled, and its account's admins told. */
export const DISABLE_AFTER_FAILING_MS = 5 * 86_400_000;
/** Exponential backoff between attempts: from 5 s, doubling, at most 6 hours. */
export const RETRY_BASE_MS = 5_000;
export const RETRY_MAX_MS = 6 * 3_600_000;
/** An account's endpoints, at most. */
export const MAX_ENDPOINTS_PER_ACCOUNT = 20;

export interface WebhookEndpoint {
  id: bigint;
  accountId: number;
  url: string;
  description: string;
  eventTypes: SubscribableEventType[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  previousSecretExpiresAt: Date | null;
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookDelivery {
  id: bigint;
  endpointId: bigint;
  eventId: bigint;
  eventType: EventType;
  subject: string;
  state: DeliveryState;
  attempts: number;
  createdAt: Date;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatus: number | null;
  lastDurationMs: number | null;
  lastError: string | null;
  lastResponse: string | null;
  deliveredAt: Date | null;
}

export interface WebhookAttempt {
  attempt: number;
  attemptedAt: Date;
  webhookId: string;
  status: number | null;
  durationMs: number;
  error: string | null;
  response: string | null;
}

/** The `webhook-id` of an event sent to an endpoint: the same on every attempt and replay, so a receiver can drop duplicates. */
export function webhookMessageId(eventId: bigint, endpointId: bigint): string {
  return `evt_${eventId}_${endpointId}`;
}

/** What each event type means, for the subscription checkboxes and the README. */
export const EVENT_TYPE_DESCRIPTIONS: Record<SubscribableEventType, string> = {
  'action.created': 'An action was tracked (a conversion, or the first click of the day of a cost-per-click contract)',
  'action.accrued': "Clicks were added to a contract's cost-per-click action of the day",
  'action.approved': 'A pending action was approved',
  'action.reversed': 'An action was reversed',
  'action.modified': "An action's amount or payout was modified",
  'action.item_rejected': "An item of an action's order was rejected",
  'action.restored': 'A reversed action was restored',
  'action.reset': 'An action was reset to pending',
  'action.reattributed': 'An action was attributed to another partner',
  'action.locked': 'An action locked at the end of its hold period',
  'action.cleared': "An action's statement was paid",
  'action.paid': "An action was paid out in a partner's paystub",
  'action.payment_returned': "An action's payout came back (a paystub failed)",
  'contract.accepted': "A partner accepted a program's terms",
  'contract.expired': 'A contract ended (expired, or replaced by newer terms)',
  'correction.created': "A post-lock correction of an action's payout",
  'statement.issued': "A brand's statement was issued",
  'statement.paid': "A brand's statement was paid",
  'paystub.created': "A partner's paystub was created by a payout run",
  'paystub.paid': "A partner's paystub was paid",
  'paystub.failed': "A partner's paystub failed (the payment came back)",
  'returns_batch.completed': 'A returns file finished processing (DONE) or could not be read (FAILED)',
  'ticket.updated': 'A support ticket changed: opened, a reply, in review, rejected or resolved',
  'account.closed': 'An account was closed',
};

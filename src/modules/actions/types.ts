export const ACTION_STATES = ['PENDING', 'APPROVED', 'REVERSED'] as const;
export type ActionState = (typeof ACTION_STATES)[number];

/** The operations of the state machine (transitions.ts holds who does them, from which states). */
export const ACTION_OPERATIONS = [
  'APPROVE',
  'REVERSE',
  'MODIFY_AMOUNT',
  'REJECT_ITEM',
  'RESTORE',
  'RESET',
  'LOCK',
  'REATTRIBUTE',
  'REVERSE_CPC',
] as const;
export type Operation = (typeof ACTION_OPERATIONS)[number];
/** The operations a caller may ask for (an action's allowed operations): every one but LOCK, which the lock job does. */
export const REQUESTABLE_OPERATIONS = [
  'APPROVE',
  'REVERSE',
  'MODIFY_AMOUNT',
  'REJECT_ITEM',
  'RESTORE',
  'RESET',
  'REATTRIBUTE',
  'REVERSE_CPC',
] as const satisfies readonly Operation[];
export type RequestableOperation = (typeof REQUESTABLE_OPERATIONS)[number];
/** The operations a brand may apply to many actions at once (Pending Payouts' bulk actions). */
export const BULK_OPERATIONS = ['APPROVE', 'REVERSE', 'RESTORE', 'RESET'] as const satisfies readonly RequestableOperation[];
export type BulkOperation = (typeof BULK_OPERATIONS)[number];
/** What a modification record names: an operation, or the action's creation. */
export const MODIFICATION_OPERATIONS = ['CREATE', ...ACTION_OPERATIONS] as const;
export type ModificationOperation = (typeof MODIFICATION_OPERATIONS)[number];

/** Status details as partners know them; a reversed action reads `Reversed/<reason>`. */
export const STATUS_DETAILS = ['Pending', 'Approved/Payment Pending', 'Approved/Paid', 'Approved/Overdue', 'Reversed'] as const;
/**
 * The partner's Pending screen: money not yet available, as impact.com filters it. Not
 * yet locked (pending actions), Locked (locked, not yet cleared, not past the payment
 * date), Overdue (locked, past the payment date, not cleared), or All of these.
 */
export const PENDING_SCREEN_STATUSES = ['NOT_YET_LOCKED', 'LOCKED', 'OVERDUE', 'ALL'] as const;
export type PendingScreenStatus = (typeof PENDING_SCREEN_STATUSES)[number];
export const APPROVED_STATUS_DETAILS = ['Approved/Payment Pending', 'Approved/Paid', 'Approved/Overdue'] as const;

/** The reason codes of a reversal or a modification, as users know them from returns files and the brand UI. */
export const CHANGE_REASON_CODES = [
  'CONS_FRAUD',
  'CONS_ERROR',
  'CONS_INFO_INVALID',
  'ITEM_RETURNED',
  'ITEM_OUT_OF_STOCK',
  'ORDER_ERROR',
  'ORDER_UPDATE',
  'PUB_ACT_DISPUTE',
  'ADV_ACT_DISPUTE',
  'NOT_COMPLIANCE_TERMS',
  'TEST_ACTION',
  'PARTNER_NOT_ACTIVE',
  'CREDITED_DIFFERENT_MP',
  'MP_RETURNED',
  'REJECTED',
  'OTHER',
] as const;
export type ChangeReasonCode = (typeof CHANGE_REASON_CODES)[number];
/** Every reason a modification record may carry: RESET names the reset operation itself; it is not a reason for a reversal or a modification. */
export const REASON_CODES = [...CHANGE_REASON_CODES, 'RESET'] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const MAX_MODIFICATIONS_PER_ACTION = 1000;
export const MAX_BULK_ACTIONS = 10_000;

export interface ActionItem {
  sku?: string;
  category?: string;
  quantity: number;
  amountMinor: bigint;
}

/** Items as stored in JSON: amounts as strings of minor units. */
export interface ActionItemJson {
  sku?: string;
  category?: string;
  quantity: number;
  amountMinor: string;
}

export function itemsToJson(items: readonly ActionItem[] | null): ActionItemJson[] | null {
  return items ? items.map((item) => ({ ...item, amountMinor: item.amountMinor.toString() })) : null;
}

export function itemsFromJson(items: readonly ActionItemJson[] | null): ActionItem[] | null {
  return items ? items.map((item) => ({ ...item, amountMinor: BigInt(item.amountMinor) })) : null;
}

export type { EventTypeKind as EventKind } from '../programs/types.js';

export const ACTION_STATES = ['PENDING', 'APPROVED', 'REVERSED'] as const;
export type ActionState = (typeof ACTION_STATES)[number];

/** The reason codes users know from returns files and the brand UI. */
export const REASON_CODES = [
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
  'REJECTED',
  'OTHER',
  'RESET',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];
/** RESET names the reset operation itself; it is not a reason for a reversal or a modification. */
export const CHANGE_REASON_CODES = REASON_CODES.filter((code) => code !== 'RESET') as Exclude<ReasonCode, 'RESET'>[];
export type ChangeReasonCode = Exclude<ReasonCode, 'RESET'>;

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

export type EventKind = 'SALE' | 'LEAD' | 'CLICK' | 'OTHER';

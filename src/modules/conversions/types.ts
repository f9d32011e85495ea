export const MAX_CONVERSIONS_PER_BATCH = 10_000;
export const MAX_ORDER_ID_LENGTH = 64;
/** Clocks drift: an event date up to this far in the future is accepted as "now". */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;
/** Older events than this are refused: almost certainly a wrong date, and long past any locking date. */
export const MAX_EVENT_AGE_DAYS = 730;
/**
 * The largest sale amount a conversion may carry, in minor units (10^15: ten trillion
 * dollars in cents). Far beyond any real order, and far enough inside the database's
 * 64-bit amounts that totals of many such orders still fit.
 */
export const MAX_CONVERSION_AMOUNT_MINOR = 10n ** 15n;

export const REJECT_REASONS = [
  'NO_CLICK',
  'UNKNOWN_CLICK',
  'CLICK_OTHER_PROGRAM',
  'EVENT_BEFORE_CLICK',
  'PARTNER_CLOSED',
  'CONTRACT_EXPIRED',
  'NO_CONTRACT',
  'NOT_IN_TERMS',
  // Stored without its action by an earlier version; repaired by migration 0004.
  'INCOMPLETE_RECORD',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** A conversion as the API receives it, with the field names users know. */
export interface ConversionInput {
  ActionTrackerId: number;
  OrderId: string;
  EventDate: string;
  ClickId?: string | undefined;
  Amount?: string | undefined;
  CurrencyCode?: string | undefined;
  Items?: Array<{ Sku?: string | undefined; Category?: string | undefined; Quantity: number; Amount: string }> | undefined;
}

export type ConversionResult =
  | {
      index: number;
      status: 'ACCEPTED' | 'REJECTED';
      /** True when this (ActionTrackerId, OrderId) was already recorded with the same body: the first answer again. */
      duplicate: boolean;
      conversionId: string;
      actionId: string | null;
      rejectReason: RejectReason | null;
    }
  | {
      index: number;
      status: 'INVALID' | 'CONFLICT';
      message: string;
      /** INVALID by the service's checks: each field that is wrong (`Items[0].Amount`) with what is wrong with it. */
      errors?: Array<{ field: string; message: string }>;
    };

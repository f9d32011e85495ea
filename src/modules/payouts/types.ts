/**
 * The payouts module's vocabulary: how a partner is paid (withdrawal settings), when
 * (autopay), and what a payment is (a paystub in a payout run, with its bank file).
 */
/** Where the money goes, as impact.com names it (PaymentMethod). */
export const PAYMENT_METHODS = ['BANK_TRANSFER', 'PAYPAL'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Autopay (PaymentSchedulingType): once the balance reaches a threshold, or on the 1st or 15th. */
export const PAYMENT_SCHEDULES = ['BALANCE_THRESHOLD', 'FIXED_DAY'] as const;
export type PaymentSchedule = (typeof PAYMENT_SCHEDULES)[number];
export const PAYMENT_DAYS = [1, 15] as const;
export type PaymentDay = (typeof PAYMENT_DAYS)[number];

export const BANK_ACCOUNT_TYPES = ['CHECKING', 'SAVINGS', 'NOT_SET'] as const;
export type BankAccountType = (typeof BANK_ACCOUNT_TYPES)[number];

/** The fee methods (src/payments/fees.ts), as a paystub records the one it was charged. */
export const WITHDRAWAL_METHODS = ['EFT', 'WIRE', 'PAYPAL'] as const;
export type WithdrawalMethod = (typeof WITHDRAWAL_METHODS)[number];

/** How long withdrawals wait after a change of bank details. */
export const BANK_CHANGE_HOLD_HOURS = 48;

/**
 * A paystub: PROCESSING from its creation (the money left the available balance) until its
 * run is marked sent to the bank; SENT then; FAILED when the bank returned it (its money is
 * available again). Only a SENT paystub can fail: one still in an unsent file would be
 * paid by the bank and returned to the balance both.
 */
export const PAYSTUB_STATUSES = ['PROCESSING', 'SENT', 'FAILED'] as const;
export type PaystubStatus = (typeof PAYSTUB_STATUSES)[number];

/** AUTOPAY: made by a payout run on the partner's schedule; MANUAL: granted on request (a ticket). */
export const PAYSTUB_KINDS = ['AUTOPAY', 'MANUAL'] as const;
export type PaystubKind = (typeof PAYSTUB_KINDS)[number];

/**
 * A run: PAYING (paystubs being made, partner by partner), WRITING_FILES, READY (its files
 * can be downloaded and sent), SENT (the operator sent them to the bank).
 */
export const PAYOUT_RUN_STATUSES = ['PAYING', 'WRITING_FILES', 'READY', 'SENT'] as const;
export type PayoutRunStatus = (typeof PAYOUT_RUN_STATUSES)[number];
export const PAYOUT_RUN_KINDS = ['SCHEDULED', 'MANUAL'] as const;
export type PayoutRunKind = (typeof PAYOUT_RUN_KINDS)[number];

/** The bank files: pain.001.001.03 (any currency), pain.001.001.09 (EPC SEPA, EUR to IBANs), PayPal Payouts CSV. */
export const PAYOUT_FILE_FORMATS = ['PAIN_001_001_03', 'PAIN_001_001_09', 'PAYPAL_PAYOUTS_CSV'] as const;
export type PayoutFileFormat = (typeof PAYOUT_FILE_FORMATS)[number];

/** Paystubs and runs per page of a list, at most. */
export const MAX_PAYOUT_PAGE = 500;

/**
 * Why a partner with an available balance was not paid by a run. A run records the ones
 * that keep a due payment back (no settings, the hold after a bank change, a wire fee not
 * configured or taking it all, a balance that differs from its actions' payouts while a
 * clearing is under way); not being due yet is not recorded.
 */
export const PAYOUT_HOLD_REASONS = [
  'NO_WITHDRAWAL_SETTINGS',
  'BANK_CHANGE_HOLD',
  'FEE_TAKES_ALL',
  'NO_WIRE_FEE',
  'CURRENCY_NOT_PAID_BY_METHOD',
  'BALANCE_NOT_RECONCILED',
] as const;
export type PayoutHoldReason = (typeof PAYOUT_HOLD_REASONS)[number];

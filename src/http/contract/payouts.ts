/**
 * Payouts: a partner's withdrawal settings (where the money goes, and when), the
 * paystubs that paid it out with the actions each paid, and the operator's payout runs
 * with their bank files. Bank details are only ever shown masked (`•••• 3001`).
 */
import { z } from 'zod';
import {
  BANK_ACCOUNT_TYPES,
  PAYMENT_METHODS,
  PAYMENT_SCHEDULES,
  PAYOUT_FILE_FORMATS,
  PAYOUT_HOLD_REASONS,
  PAYOUT_RUN_KINDS,
  PAYOUT_RUN_STATUSES,
  PAYSTUB_KINDS,
  PAYSTUB_STATUSES,
  WITHDRAWAL_METHODS,
} from '../../modules/payouts/types.js';
import { isoDate, pageOf, pageQueryShape, rowId, rowIdText, sortQuery } from './common.js';

/** A 64-bit id (a paystub's) in a path. */
export const paystubIdParams = z.object({ id: z.string().regex(/^[1-9]\d{0,17}$/, 'a paystub id') }).strict();

const text = (max: number) => z.string().max(max);

export const withdrawalSettingsDto = z
  .object({
    MediaPartnerId: z.number().int(),
    Currency: z.string().describe("The account's currency: withdrawals and the threshold are in it"),
    Configured: z.boolean().describe('False until withdrawal settings are saved: nothing is paid out before'),
    PaymentMethod: z.enum(PAYMENT_METHODS).nullable(),
    BankCountry: z.string().nullable(),
    BankAccountNumber: z.string().nullable().describe('Masked: the last 4 characters of the account number or IBAN, e.g. •••• 3001'),
    PaypalEmailAddress: z.string().nullable().describe('Masked, e.g. j•••@example.com'),
    WithdrawalMethod: z.enum(WITHDRAWAL_METHODS).nullable().describe('What a withdrawal in the account currency costs: EFT (free), WIRE (WireFee), PAYPAL (2%, at most 20.00)'),
    WireFee: z.string().nullable().describe('The fee of a wire in the account currency'),
    PaymentSchedulingType: z.enum(PAYMENT_SCHEDULES).nullable(),
    PaymentThreshold: z.string().nullable().describe('BALANCE_THRESHOLD: the available balance at which a withdrawal starts'),
    PaymentDay: z.number().int().describe('FIXED_DAY: 1 or 15; 0 otherwise'),
    MinimumWithdrawal: z.string().describe('10.00 in the account currency'),
    HoldEndsDate: isoDate.nullable().describe('Withdrawals are held until then after a change of bank details (48 hours); null: no hold'),
    BankDetailsChangedDate: isoDate.nullable(),
    UpdatedDate: isoDate.nullable(),
  })
  .meta({ id: 'WithdrawalSettings' });
export type WithdrawalSettings = z.infer<typeof withdrawalSettingsDto>;

export const withdrawalSettingsAnswerDto = withdrawalSettingsDto
  .extend({ BankDetailsChanged: z.boolean().describe('This change named a new destination (a change of an earlier one holds withdrawals until HoldEndsDate)') })
  .meta({ id: 'WithdrawalSettingsAnswer' });
export type WithdrawalSettingsAnswer = z.infer<typeof withdrawalSettingsAnswerDto>;

export const withdrawalSettingsBody = z
  .object({
    PaymentMethod: z.enum(PAYMENT_METHODS).optional().describe('With the destination fields: a destination (asks for Password; a change of it holds withdrawals 48 hours); absent: keep the current one'),
    BankCountry: text(60).optional(),
    BeneficiaryAccountName: text(200).optional().describe("The account holder's name as the bank has it"),
    BankAccountNumber: text(80).optional().describe('The IBAN, or the account number (US and countries without IBANs)'),
    BankAccountType: z.enum(BANK_ACCOUNT_TYPES).optional(),
    SwiftCode: text(40).optional(),
    RoutingCode: text(40).optional().describe('US banks: the 9-digit ABA routing number'),
    PaypalEmailAddress: text(200).optional(),
    PaymentSchedulingType: z.enum(PAYMENT_SCHEDULES),
    PaymentThreshold: text(40).optional().describe('BALANCE_THRESHOLD: a decimal amount in the account currency, at least 10.00'),
    PaymentDay: z.number().int().min(0).max(31).optional().describe('FIXED_DAY: 1 or 15'),
    Password: text(1000).optional().describe("The user's password, asked again when the destination changes"),
  })
  .strict();
export type WithdrawalSettingsBody = z.infer<typeof withdrawalSettingsBody>;

export const paystubDto = z
  .object({
    Id: z.string().describe('The Paystub Id'),
    MediaPartnerId: z.number().int(),
    MediaPartnerName: z.string(),
    RunId: z.number().int(),
    CreatedDate: isoDate.describe('When the withdrawal was made (not when the bank credits it)'),
    Kind: z.enum(PAYSTUB_KINDS),
    PaymentMethod: z.enum(PAYMENT_METHODS),
    WithdrawalMethod: z.enum(WITHDRAWAL_METHODS),
    Destination: z.string().describe('Masked: •••• 3001 or j•••@example.com'),
    Currency: z.string(),
    Gross: z.string().describe('Withdrawn from the available balance'),
    Fee: z.string(),
    Net: z.string().describe('Sent to the partner: Gross − Fee'),
    Actions: z.number().int().describe('Actions it pays'),
    Status: z.enum(PAYSTUB_STATUSES),
    SentDate: isoDate.nullable(),
    FailedDate: isoDate.nullable(),
    FailureReason: z.string().nullable().describe('FAILED: why the bank returned it; its money is available again'),
  })
  .meta({ id: 'Paystub' });
export type Paystub = z.infer<typeof paystubDto>;

export const PAYSTUB_SORTS = ['CreatedDate', 'Gross', 'Net'] as const;

export const paystubListQuery = z
  .object({
    ...pageQueryShape,
    sort: sortQuery(PAYSTUB_SORTS),
    status: z.enum(PAYSTUB_STATUSES).optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, 'a currency code').optional(),
  })
  .strict();
export const paystubPageDto = pageOf(paystubDto);

export const paystubActionDto = z.object({
  PaystubId: z.string(),
  ActionId: z.string(),
  CampaignId: z.number().int(),
  CampaignName: z.string(),
  ActionTrackerId: z.number().int(),
  EventTypeName: z.string(),
  OrderId: z.string().nullable(),
  SaleAmount: z.string(),
  Payout: z.string(),
  Currency: z.string(),
  EventDate: isoDate.describe('The Action Date'),
  LockingDate: isoDate,
});
export type PaystubAction = z.infer<typeof paystubActionDto>;
export const paystubActionsQuery = z.object({ page: pageQueryShape.page, pageSize: pageQueryShape.pageSize }).strict();
export const paystubActionPageDto = pageOf(paystubActionDto);

export const payoutFileDto = z.object({
  Id: z.number().int(),
  Format: z.enum(PAYOUT_FILE_FORMATS),
  Currency: z.string(),
  Part: z.number().int().describe('PayPal takes 5,000 payouts a file: larger runs have several parts'),
  FileName: z.string(),
  Payments: z.number().int(),
  Total: z.string(),
  Bytes: z.number().int(),
  Sha256: z.string(),
  CreatedDate: isoDate,
});
export type PayoutFile = z.infer<typeof payoutFileDto>;

export const payoutRunDto = z
  .object({
    Id: z.number().int(),
    Kind: z.enum(PAYOUT_RUN_KINDS),
    Status: z.enum(PAYOUT_RUN_STATUSES),
    RunDate: z.string().describe('The day it ran (UTC)'),
    ExecutionDate: z.string().describe('The day the bank is asked to pay'),
    StartedDate: isoDate,
    Paystubs: z.number().int(),
    Held: z.number().int().describe('Partners with an available balance the run did not pay (see HeldPartners)'),
    FilesReadyDate: isoDate.nullable(),
    SentDate: isoDate.nullable(),
    WorkItemId: z.string().nullable().describe("The run's work item in the operator console"),
    Totals: z.array(z.object({ Currency: z.string(), Paystubs: z.number().int(), Gross: z.string(), Fee: z.string(), Net: z.string() })),
  })
  .meta({ id: 'PayoutRun' });
export type PayoutRun = z.infer<typeof payoutRunDto>;

export const payoutRunDetailDto = payoutRunDto
  .extend({
    Files: z.array(payoutFileDto),
    HeldPartners: z
      .array(z.object({ MediaPartnerId: z.number().int(), MediaPartnerName: z.string(), Currency: z.string(), Available: z.string(), Reason: z.enum(PAYOUT_HOLD_REASONS) }))
      .describe('Why each partner with an available balance was not paid (at most 500)'),
  })
  .meta({ id: 'PayoutRunDetail' });
export type PayoutRunDetail = z.infer<typeof payoutRunDetailDto>;

export const payoutRunListQuery = z.object({ ...pageQueryShape, status: z.enum(PAYOUT_RUN_STATUSES).optional() }).strict();
export const payoutRunPageDto = pageOf(payoutRunDto);

export const runPaystubsQuery = z.object({ ...pageQueryShape, status: z.enum(PAYSTUB_STATUSES).optional() }).strict();

export const failPaystubBody = z
  .object({ Reason: z.string().min(1).max(500).describe('Why the bank returned it; the partner sees it') })
  .strict();
export type FailPaystubBody = z.infer<typeof failPaystubBody>;

export const manualPaystubBody = z
  .object({
    MediaPartnerId: rowId(),
    Currency: z.string().regex(/^[A-Z]{3}$/, 'a currency code').optional().describe("Default: the partner account's currency"),
  })
  .strict();
export type ManualPaystubBody = z.infer<typeof manualPaystubBody>;

export const manualPaystubAnswerDto = z.object({
  Paystub: paystubDto,
  Run: payoutRunDto,
});
export type ManualPaystubAnswer = z.infer<typeof manualPaystubAnswerDto>;

export const forfeitBody = z
  .object({
    MediaPartnerId: rowId(),
    Currency: z.string().regex(/^[A-Z]{3}$/, 'a currency code').optional().describe("Default: the partner account's currency"),
    Reason: z.string().min(1).max(500).describe('Why the partner gives the balance up (e.g. the closure ticket)'),
  })
  .strict();
export type ForfeitBody = z.infer<typeof forfeitBody>;

export const forfeitDto = z.object({
  Id: z.number().int(),
  MediaPartnerId: z.number().int(),
  Currency: z.string(),
  Amount: z.string(),
  Actions: z.number().int(),
  Reason: z.string(),
  ForfeitedByUserId: z.number().int(),
  ForfeitedDate: isoDate,
});
export type Forfeit = z.infer<typeof forfeitDto>;

export const partnerIdParams = z.object({ id: rowIdText() }).strict();

/** The partner's next expected payout per currency with an available balance (Home). */
export const nextPayoutDto = z
  .object({
    Currency: z.string(),
    Available: z.string(),
    PayOn: z.string().nullable().describe("The local date the daily payout run (06:30 UTC) is expected to pay it; null when something blocks it"),
    Gross: z.string().nullable(),
    Fee: z.string().nullable(),
    Net: z.string().nullable(),
    Blocker: z
      .enum(['NO_WITHDRAWAL_SETTINGS', 'BANK_CHANGE_HOLD', 'BELOW_MINIMUM', 'BELOW_THRESHOLD', 'FEE_TAKES_ALL', 'NO_WIRE_FEE', 'CURRENCY_NOT_PAID_BY_METHOD'])
      .nullable(),
    HoldEndsDate: z.string().nullable(),
    Message: z.string().describe('What to expect, or what blocks it, in words'),
  })
  .meta({ id: 'NextPayout' });
export type NextPayoutItem = z.infer<typeof nextPayoutDto>;
export const nextPayoutListDto = z.object({ Items: z.array(nextPayoutDto) });

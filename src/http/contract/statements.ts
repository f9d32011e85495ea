/**
 * Brand statements (billing): a month's locked payouts of a program, billed per currency
 * and due date, their lines grouped by partner and event type, and the payments
 * recorded against them.
 */
import { z } from 'zod';
import { STATEMENT_STATUSES } from '../../modules/billing/types.js';
import { correctionDto } from './corrections.js';
import { isoDate, pageOf, pageQueryShape, rowIdText, sortQuery } from './common.js';

/** A calendar date, YYYY-MM-DD, that exists (not 2026-02-30) in the years the database keeps. */
const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD')
  .refine((text) => {
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text && text >= '1970-01-01' && text <= '2999-12-31';
  }, 'a date that exists, YYYY-MM-DD, from 1970 to 2999');

export const statementDto = z
  .object({
    Id: z.number().int(),
    Number: z.string().describe('The statement number, e.g. ST-202611-000042'),
    BrandAccountId: z.number().int(),
    BrandName: z.string(),
    CampaignId: z.number().int(),
    CampaignName: z.string(),
    Currency: z.string(),
    PeriodStart: z.string().describe("The month billed: its first day, in the program's time zone"),
    PeriodEnd: z.string().describe('…and its last day'),
    DueDate: isoDate.describe('When the brand is to have paid (the payment schedule of its contracts)'),
    DueOn: z.string().describe("The due date as a day, in the program's time zone"),
    IssuedDate: isoDate,
    Actions: z.number().int().describe('Lines: actions billed'),
    Corrections: z.number().int().describe('Post-lock corrections billed on it, each a line of its own'),
    Total: z.string(),
    Paid: z.string(),
    Owed: z.string().describe('What is still to pay; 0 when paid, or when its corrections take back at least what it bills'),
    Status: z.enum(STATEMENT_STATUSES),
    PaidDate: isoDate.nullable().describe('When it was paid in full'),
    ClearedDate: isoDate.nullable().describe("When its actions cleared (the partners' payouts became available)"),
  })
  .meta({ id: 'Statement' });
export type Statement = z.infer<typeof statementDto>;

export const statementGroupDto = z.object({
  MediaPartnerId: z.number().int(),
  MediaPartnerName: z.string(),
  ActionTrackerId: z.number().int(),
  EventTypeName: z.string(),
  Actions: z.number().int(),
  SaleAmount: z.string(),
  Payout: z.string(),
});
export type StatementGroup = z.infer<typeof statementGroupDto>;

export const paymentDto = z.object({
  Id: z.number().int(),
  StatementId: z.number().int(),
  Amount: z.string(),
  Currency: z.string(),
  ReceivedDate: z.string(),
  Reference: z.string(),
  Source: z.enum(['OPERATOR', 'BRAND']),
  RecordedDate: isoDate,
});
export type Payment = z.infer<typeof paymentDto>;

export const statementDetailDto = statementDto
  .extend({
    Groups: z.array(statementGroupDto).describe('Totals by partner, and by event type within a partner'),
    CorrectionLines: z.array(correctionDto).describe('Post-lock corrections billed on it, by partner'),
    Payments: z.array(paymentDto),
  })
  .meta({ id: 'StatementDetail' });
export type StatementDetail = z.infer<typeof statementDetailDto>;

export const STATEMENT_SORTS = ['IssuedDate', 'DueDate', 'Total', 'Number'] as const;

export const statementListQuery = z
  .object({
    ...pageQueryShape,
    sort: sortQuery(STATEMENT_SORTS),
    status: z.enum(STATEMENT_STATUSES).optional(),
    programId: rowIdText().optional(),
    brandId: rowIdText().optional().describe('Operators: one brand'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'a currency code').optional(),
    periodFrom: localDate.optional().describe('Months from this one (its first day)'),
    periodTo: localDate.optional().describe('Months up to this one (its first day)'),
  })
  .strict();
export type StatementListQuery = z.infer<typeof statementListQuery>;

export const statementPageDto = pageOf(statementDto);

export const statementLineDto = z.object({
  ActionId: z.string(),
  MediaPartnerId: z.number().int(),
  MediaPartnerName: z.string(),
  ActionTrackerId: z.number().int(),
  EventTypeName: z.string(),
  OrderId: z.string().nullable(),
  EventDate: isoDate,
  LockedDate: isoDate,
  SaleAmount: z.string(),
  Payout: z.string(),
});
export type StatementLine = z.infer<typeof statementLineDto>;

export const statementLinesQuery = z
  .object({ page: pageQueryShape.page, pageSize: pageQueryShape.pageSize, partnerId: rowIdText().optional() })
  .strict();
export const statementLinePageDto = pageOf(statementLineDto);

export const paymentBody = z
  .object({
    Amount: z.string().max(40).describe("A decimal amount in the statement's currency"),
    ReceivedDate: localDate.describe('The day the money arrived'),
    Reference: z.string().max(100).describe('The bank reference; recorded once: the same again answers the first payment'),
  })
  .strict();
export type PaymentBody = z.infer<typeof paymentBody>;

export const paymentAnswerDto = z.object({
  Payment: paymentDto,
  Statement: statementDto,
  Repeated: z.boolean().describe('This reference was recorded before, with this amount: nothing changed'),
  ClearingWorkItemId: z.string().nullable().describe("Paid in full: the clearing of its actions (the operator console's work item)"),
  ClearingState: z.string().nullable().describe('DONE when the clearing finished before the answer'),
});
export type PaymentAnswer = z.infer<typeof paymentAnswerDto>;

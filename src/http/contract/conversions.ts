/**
 * Conversions (brands report them; impact.com's names, as users bring them from there):
 * one, a batch of up to 10,000 each with its own result, and the list of recorded ones.
 */
import { z } from 'zod';
import { MAX_CONVERSIONS_PER_BATCH, MAX_ORDER_ID_LENGTH, REJECT_REASONS } from '../../modules/conversions/types.js';
import { filterDateTime, isoDate, pageQueryShape, rowId, sortQuery } from './common.js';
import { CONVERSION_SORTS } from './enums.js';

export const conversionBody = z
  .object({
    ActionTrackerId: rowId().describe('The event type id'),
    OrderId: z.string().max(MAX_ORDER_ID_LENGTH),
    EventDate: z.string().max(40).describe('ISO 8601 with offset, e.g. 2026-01-15T10:30:00-05:00'),
    ClickId: z.string().max(64).optional(),
    Amount: z.string().max(30).optional().describe('Decimal sale amount in the program currency, e.g. "129.99"'),
    CurrencyCode: z.string().max(3).optional().describe("Defaults to the program's currency; any other is refused"),
    Items: z
      .array(
        z
          .object({
            Sku: z.string().max(100).optional(),
            Category: z.string().max(100).optional(),
            Quantity: z.number().int().min(0).max(1_000_000),
            Amount: z.string().max(30).describe('Line subtotal'),
          })
          .strict(),
      )
      .max(1000)
      .optional(),
  })
  .strict();
/** The conversions module takes this form as it is (ConversionInput): impact.com's field names. */
export type ConversionBody = z.infer<typeof conversionBody>;

/** The outcome of one conversion (POST /conversions answers it, a batch answers one per row). */
export const conversionResultDto = z.object({
  Index: z.number().int().describe('Its position in the batch (0 for a single conversion)'),
  Status: z.enum(['ACCEPTED', 'REJECTED', 'INVALID', 'CONFLICT']),
  Duplicate: z.boolean().optional().describe('This (ActionTrackerId, OrderId) was already recorded with the same body: the first answer again'),
  ConversionId: z.string().optional(),
  ActionId: z.string().nullable().optional(),
  RejectReason: z.enum(REJECT_REASONS).nullable().optional(),
  Message: z.string().optional().describe('INVALID and CONFLICT: what is wrong'),
});
export type ConversionResult = z.infer<typeof conversionResultDto>;

export const conversionBatchBody = z.object({ Conversions: z.array(conversionBody).min(1).max(MAX_CONVERSIONS_PER_BATCH) }).strict();
export type ConversionBatchBody = z.infer<typeof conversionBatchBody>;
/**
 * What the batch endpoint validates as a whole: the envelope. Each row is then checked on
 * its own against conversionBody (the schema /docs shows), so one malformed row is that
 * row's INVALID result, not a 400 for the other 9,999.
 */
export const conversionBatchEnvelope = z.object({ Conversions: z.array(z.unknown()).min(1).max(MAX_CONVERSIONS_PER_BATCH) }).strict();

export const conversionBatchResultDto = z.object({
  Accepted: z.number().int(),
  Rejected: z.number().int(),
  Invalid: z.number().int(),
  Conflicts: z.number().int(),
  Duplicates: z.number().int(),
  Results: z.array(conversionResultDto),
});
export type ConversionBatchResult = z.infer<typeof conversionBatchResultDto>;

export const conversionDto = z
  .object({
    Id: z.string(),
    CampaignId: z.number().int(),
    CampaignName: z.string(),
    ActionTrackerId: z.number().int(),
    EventTypeName: z.string(),
    OrderId: z.string(),
    EventDate: isoDate,
    ClickId: z.string().nullable(),
    MediaPartnerId: z.number().int().nullable(),
    MediaPartnerName: z.string().nullable(),
    Amount: z.string(),
    Currency: z.string(),
    Status: z.enum(['ACCEPTED', 'REJECTED']),
    RejectReason: z.enum(REJECT_REASONS).nullable(),
    ActionId: z.string().nullable(),
    CreatedDate: isoDate,
  })
  .meta({ id: 'Conversion' });
export type Conversion = z.infer<typeof conversionDto>;

export const conversionsQuery = z
  .object({
    ...pageQueryShape,
    sort: sortQuery(CONVERSION_SORTS),
    status: z.enum(['ACCEPTED', 'REJECTED']).optional(),
    rejectReason: z.enum(REJECT_REASONS).optional(),
    orderId: z.string().max(MAX_ORDER_ID_LENGTH).optional(),
    from: filterDateTime().optional().describe('Event date from (inclusive)'),
    to: filterDateTime().optional().describe('Event date to (exclusive)'),
  })
  .strict();

/**
 * Post-lock corrections: an adjustment of a locked action's payout, made by an operator,
 * billed on the brand's next statement and cleared with it.
 */
import { z } from 'zod';
import { CHANGE_REASON_CODES } from '../../modules/actions/types.js';
import { isoDate } from './common.js';

export const correctionDto = z
  .object({
    Id: z.string(),
    ActionId: z.string(),
    CampaignId: z.number().int(),
    BrandAccountId: z.number().int(),
    MediaPartnerId: z.number().int(),
    Amount: z.string().describe('Signed: above zero the partner is paid more (billed to the brand), below zero it is clawed back'),
    Currency: z.string(),
    Reason: z.enum(CHANGE_REASON_CODES),
    Note: z.string().nullable(),
    CreatedDate: isoDate,
    DueDate: isoDate.describe("When the brand is to have paid it: the action's payment schedule from the month of the correction"),
    StatementId: z.number().int().nullable().describe('The statement that billed it; null until the next statement is issued'),
    StatementNumber: z.string().nullable(),
    ClearedDate: isoDate.nullable().describe("When its statement was paid and the amount became the partner's available balance"),
    PaystubId: z.string().nullable(),
    Status: z.enum(['UNBILLED', 'BILLED', 'CLEARED', 'PAID', 'FORFEITED']),
  })
  .meta({ id: 'Correction' });
export type Correction = z.infer<typeof correctionDto>;

export const correctionBody = z
  .object({
    Amount: z.string().max(40).describe('A signed decimal in the action\'s currency: "5.00" pays more, "-5.00" claws back'),
    Currency: z.string().max(3).optional().describe("The action's currency (checked when given)"),
    Reason: z.enum(CHANGE_REASON_CODES),
    Note: z.string().max(500).optional().describe('Why, in words (at most 500 characters)'),
  })
  .strict();
export type CorrectionBody = z.infer<typeof correctionBody>;

export const correctionListDto = z.object({ Items: z.array(correctionDto) });

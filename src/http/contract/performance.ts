/** Performance for the charts on Home (issue 16 item 5): per day, per partner, per brand. */
import { z } from 'zod';
import { rowIdText } from './common.js';

/** A calendar day, YYYY-MM-DD, from 1970 to 2999. */
const localDay = () =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD, e.g. 2026-12-01')
    .refine((text) => {
      const at = Date.parse(`${text}T00:00:00Z`);
      return !Number.isNaN(at) && new Date(at).toISOString().startsWith(text) && text >= '1970-01-01' && text <= '2999-12-31';
    }, 'must be a real day from 1970 to 2999');

export const MAX_PERFORMANCE_DAYS = 366;

const rangeShape = {
  from: localDay().optional().describe('First day (included), in the account’s time zone; default: 29 days before `to`'),
  to: localDay().optional().describe('Last day (included), in the account’s time zone; default: today'),
  programId: rowIdText().optional().describe('One program’s actions only'),
};

export const dailyPerformanceQuery = z
  .object({ ...rangeShape, by: z.enum(['program', 'currency']).default('program').describe('One series per program (its currency), or per currency') })
  .strict();
export type DailyPerformanceQuery = z.infer<typeof dailyPerformanceQuery>;

export const partyPerformanceQuery = z
  .object({ ...rangeShape, limit: z.coerce.number().int().min(1).max(50).default(10).describe('At most this many per currency') })
  .strict();
export type PartyPerformanceQuery = z.infer<typeof partyPerformanceQuery>;

const figures = {
  Actions: z.number().int().describe('Pending and approved actions (reversed ones pay nothing and are left out)'),
  Amount: z.string().describe('Sale amounts added up, a decimal string in Currency'),
  Payout: z.string().describe('Payouts added up, a decimal string in Currency'),
};

const rangeDto = {
  From: z.string().describe('YYYY-MM-DD'),
  To: z.string().describe('YYYY-MM-DD'),
  TimeZone: z.string().describe('The days are calendar days in this time zone (the account’s)'),
};

export const dailySeriesDto = z.object({
  Key: z.string().describe('program-<id> or the currency'),
  ProgramId: z.number().int().nullable(),
  ProgramName: z.string().nullable(),
  Currency: z.string(),
  Days: z.array(z.object({ Date: z.string().describe('YYYY-MM-DD'), ...figures })).describe('Every day of the range, in order, zeros included'),
  Totals: z.object(figures),
});
export const dailyPerformanceDto = z.object({ ...rangeDto, Series: z.array(dailySeriesDto) }).meta({ id: 'DailyPerformance' });
export type DailyPerformance = z.infer<typeof dailyPerformanceDto>;
export type DailySeries = z.infer<typeof dailySeriesDto>;

export const topPartnersDto = z
  .object({ ...rangeDto, Items: z.array(z.object({ MediaPartnerId: z.number().int(), MediaPartnerName: z.string(), Currency: z.string(), ...figures })) })
  .meta({ id: 'TopPartners' });
export type TopPartners = z.infer<typeof topPartnersDto>;

export const byBrandDto = z
  .object({ ...rangeDto, Items: z.array(z.object({ BrandId: z.number().int(), BrandName: z.string(), Currency: z.string(), ...figures })) })
  .meta({ id: 'PerformanceByBrand' });
export type PerformanceByBrand = z.infer<typeof byBrandDto>;

/** Reports pinned to Home (issue 16 item 2) and the compact preview Home shows of each. */
import { z } from 'zod';
import { PIN_DISPLAYS } from '../../modules/pins/types.js';
import { isoDate, rowId } from './common.js';

export const pinDto = z
  .object({
    Id: z.number().int(),
    Report: z.string().describe('The report’s handle, e.g. pending-payouts-actions'),
    ReportTitle: z.string().nullable().describe('The catalog’s title of the report; null when it is no longer in the catalog'),
    Title: z.string(),
    Filters: z.record(z.string(), z.string()).describe('As the report’s exports take them'),
    Display: z.enum(PIN_DISPLAYS),
    Link: z.string().nullable().describe('The page it was pinned from, path and query'),
    Position: z.number().int(),
    PreviewUrl: z.string().describe('The first rows of the report with these filters'),
    CreatedDate: isoDate,
  })
  .meta({ id: 'Pin' });
export type Pin = z.infer<typeof pinDto>;
export const pinListDto = z.object({ Items: z.array(pinDto) });

export const createPinBody = z
  .object({
    Report: z.string().regex(/^[a-z0-9-]{1,60}$/, 'a report id, e.g. pending-payouts-actions'),
    Title: z.string().trim().min(1).max(120).optional().describe('Default: the report’s title'),
    Filters: z
      .record(z.string().max(60), z.union([z.string().max(200), z.number(), z.boolean()]))
      .default({})
      .describe('The report’s filters, named as its exports name them'),
    Display: z.enum(PIN_DISPLAYS).default('TABLE').describe('CHART: Pending Payouts Actions only (payout per day)'),
    Link: z
      .string()
      .max(1000)
      .regex(/^\/(?![/\\])[^\s]*$/, 'a path of this site, e.g. /transactions/pending-payouts?programId=3')
      .optional(),
  })
  .strict();
export type CreatePinBody = z.infer<typeof createPinBody>;

export const reorderPinsBody = z.object({ Ids: z.array(rowId()).max(100).describe('Every one of your pins, once, in the new order') }).strict();
export type ReorderPinsBody = z.infer<typeof reorderPinsBody>;

/** A cell of a preview: text, a number, an instant (ISO 8601), money, or nothing. */
export const previewCell = z.union([z.string(), z.number(), z.null(), z.object({ Amount: z.string(), Currency: z.string() })]);
export type PreviewCell = z.infer<typeof previewCell>;

export const reportPreviewDto = z
  .object({
    Report: z.string(),
    Title: z.string(),
    Columns: z.array(z.object({ Name: z.string(), Type: z.enum(['text', 'number', 'date', 'money']) })).describe('The report’s compact columns (those its PDF shows)'),
    Rows: z.array(z.array(previewCell)),
    More: z.boolean().describe('More rows match than these'),
  })
  .meta({ id: 'ReportPreview' });
export type ReportPreview = z.infer<typeof reportPreviewDto>;

export const PREVIEW_MAX_ROWS = 20;

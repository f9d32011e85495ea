/** The report catalog and its exports as async jobs (issue 16 items 1 and 4). */
import { z } from 'zod';
import { EXPORT_STATES } from '../../modules/reports/exports.js';
import { isoDate, pageOf, pageQueryShape } from './common.js';

const bigIdText = () => z.string().regex(/^[1-9][0-9]{0,17}$/, 'a positive integer id');

export const EXPORT_FILE_FORMATS = ['csv', 'xlsx', 'pdf'] as const;

export const reportParams = z.object({ report: z.string().regex(/^[a-z0-9-]{1,60}$/, 'a report id, e.g. pending-payouts-actions') }).strict();
export const reportExportParams = z.object({ report: reportParams.shape.report, id: bigIdText() }).strict();

export const reportDto = z
  .object({
    Id: z.string().describe('The report’s handle in URLs, e.g. pending-payouts-actions'),
    Title: z.string(),
    Category: z.string(),
    Description: z.string(),
    Columns: z.array(z.string()).describe('The columns of its files, in order'),
    Filters: z.array(z.string()).describe('The filters it takes (as its list’s download takes them)'),
    Formats: z.array(z.enum(EXPORT_FILE_FORMATS)),
    UiPath: z.string().nullable().describe('Where the web UI shows it'),
    ExportsUrl: z.string(),
  })
  .meta({ id: 'Report' });
export type Report = z.infer<typeof reportDto>;
export const reportCatalogDto = z.object({ Items: z.array(reportDto) });

export const createExportBody = z
  .object({
    Format: z.enum(EXPORT_FILE_FORMATS).default('csv'),
    Filters: z
      .record(z.string().max(60), z.union([z.string().max(200), z.number(), z.boolean()]))
      .default({})
      .describe('The report’s filters, named as its list’s download names them (e.g. {"state": "PENDING", "programId": "3"})'),
  })
  .strict();
export type CreateExportBody = z.infer<typeof createExportBody>;

export const reportExportDto = z
  .object({
    Id: z.string(),
    Report: z.string(),
    Format: z.enum(EXPORT_FILE_FORMATS),
    Status: z.enum(EXPORT_STATES),
    Filters: z.record(z.string(), z.unknown()),
    FileName: z.string().nullable(),
    RowsWritten: z.number().int().describe('Rows written so far (all of them once COMPLETED)'),
    Bytes: z.number().int(),
    Error: z.string().nullable().describe('FAILED: why'),
    CreatedDate: isoDate,
    StartedDate: isoDate.nullable(),
    CompletedDate: isoDate.nullable(),
    ExpiresDate: isoDate.describe('The file is deleted then (7 days after the request)'),
    Url: z.string(),
    DownloadUrl: z.string().describe('202 while QUEUED or RUNNING, the file once COMPLETED'),
  })
  .meta({ id: 'ReportExport' });
export type ReportExportDto = z.infer<typeof reportExportDto>;

export const exportListQuery = z.object({ ...pageQueryShape, status: z.enum(EXPORT_STATES).optional() }).strict();
export const reportExportPageDto = pageOf(reportExportDto);

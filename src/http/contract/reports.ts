/** The report catalog and its exports as async jobs (issue 16 items 1 and 4). */
import { z } from 'zod';
import { DATE_RANGES, DAYS_OF_WEEK, EXPORT_STATES, SCHEDULE_DELIVERIES, SCHEDULE_FREQUENCIES, SCHEDULE_STATES } from '../../modules/reports/types.js';
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

// --- Scheduled reports -----------------------------------------------------------------

export const scheduleParams = z.object({ id: bigIdText() }).strict();
export const scheduleRunParams = z.object({ id: bigIdText(), runId: bigIdText() }).strict();

export const scheduleBody = z
  .object({
    Name: z.string().trim().min(1).max(120),
    Report: reportParams.shape.report,
    Format: z.enum(EXPORT_FILE_FORMATS).default('csv'),
    Filters: createExportBody.shape.Filters,
    DateRange: z
      .enum(DATE_RANGES)
      .default('NONE')
      .describe('The date filters of each run, relative to it, in the schedule’s time zone (whole days; MONTH_TO_DATE up to the run)'),
    Frequency: z.enum(SCHEDULE_FREQUENCIES),
    DayOfWeek: z.enum(DAYS_OF_WEEK).nullable().default(null).describe('WEEKLY: the day it runs'),
    DayOfMonth: z
      .union([z.number().int(), z.literal('LAST')])
      .nullable()
      .default(null)
      .describe('MONTHLY: 1 to 28, or LAST for the last day of each month'),
    TimeOfDay: z.string().describe('HH:MM, in TimeZone'),
    TimeZone: z.string().max(64).optional().describe('IANA time zone; default: the account’s'),
    Delivery: z
      .enum(SCHEDULE_DELIVERIES)
      .default('EMAIL')
      .describe('EMAIL: to the schedule’s user, the file attached (linked past 10 MB); SFTP: into the brand’s SFTP folder /reports (it needs an SFTP login)'),
  })
  .strict();
export type ScheduleBody = z.infer<typeof scheduleBody>;
/** The body as a client sends it (defaults not yet applied). */
export type ScheduleBodyInput = z.input<typeof scheduleBody>;

export const scheduleDto = z
  .object({
    Id: z.string(),
    Name: z.string(),
    Report: z.string(),
    Format: z.enum(EXPORT_FILE_FORMATS),
    Filters: z.record(z.string(), z.string()),
    DateRange: z.enum(DATE_RANGES),
    Frequency: z.enum(SCHEDULE_FREQUENCIES),
    DayOfWeek: z.enum(DAYS_OF_WEEK).nullable(),
    DayOfMonth: z.union([z.number().int(), z.literal('LAST')]).nullable(),
    TimeOfDay: z.string(),
    TimeZone: z.string(),
    Delivery: z.enum(SCHEDULE_DELIVERIES),
    Status: z.enum(SCHEDULE_STATES),
    StoppedReason: z.string().nullable(),
    NextRunDate: isoDate.nullable(),
    LastRunDate: isoDate.nullable(),
    CreatedDate: isoDate,
    UserId: z.number().int().nullable(),
  })
  .meta({ id: 'ReportSchedule' });
export type ScheduleDto = z.infer<typeof scheduleDto>;
export const schedulePageDto = pageOf(scheduleDto);
export const scheduleListQuery = z.object({ page: pageQueryShape.page, pageSize: pageQueryShape.pageSize }).strict();

export const scheduleRunDto = z
  .object({
    Id: z.string(),
    RunDate: isoDate.describe('The run it was (the schedule’s time)'),
    Status: z.enum(['RUNNING', 'DELIVERED', 'FAILED']),
    DeliveredTo: z.string().nullable(),
    Error: z.string().nullable(),
    ExportId: z.string().nullable(),
    FinishedDate: isoDate.nullable(),
    DownloadUrl: z.string().nullable().describe('The run’s file, while it is kept'),
  })
  .meta({ id: 'ReportScheduleRun' });
export type ScheduleRunDto = z.infer<typeof scheduleRunDto>;
export const scheduleRunPageDto = pageOf(scheduleRunDto);

import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { conflict, DomainError, invalid, notFound } from '../../core/errors.js';
import type { Actor } from '../../modules/accounts/actor.js';
import { cancelExport, getExportOrThrow, listExports, readExportContent, requestExport, type ReportExport } from '../../modules/reports/exports.js';
import { enqueue, wake } from '../../worker/index.js';
import { actorOf } from '../auth.js';
import { errorResponses } from '../contract/common.js';
import {
  createExportBody,
  EXPORT_FILE_FORMATS,
  exportListQuery,
  reportCatalogDto,
  reportExportDto,
  reportExportPageDto,
  reportExportParams,
  reportParams,
  type CreateExportBody,
  type Report,
  type ReportExportDto,
} from '../contract/reports.js';
import { audienceOf, findReport, reportsFor, type ReportDefinition } from '../reports/catalog.js';
import { reportExportKind } from '../reports/export-job.js';
import { deliverScheduledExport } from '../reports/schedule-delivery.js';

/** How long a client should wait before asking again about a running export. */
const RETRY_AFTER_SECONDS = 2;

export function exportUrl(job: Pick<ReportExport, 'report' | 'id'>): string {
  return `/api/v1/reports/${job.report}/exports/${job.id}`;
}

export function toReportExportDto(job: ReportExport): ReportExportDto {
  const url = exportUrl(job);
  return {
    Id: job.id.toString(),
    Report: job.report,
    Format: job.format,
    Status: job.status,
    Filters: job.filters,
    FileName: job.fileName,
    RowsWritten: job.rowsWritten,
    Bytes: job.bytes,
    Error: job.error,
    CreatedDate: job.createdAt.toISOString(),
    StartedDate: job.startedAt?.toISOString() ?? null,
    CompletedDate: job.completedAt?.toISOString() ?? null,
    ExpiresDate: job.expiresAt.toISOString(),
    Url: url,
    DownloadUrl: `${url}/download`,
  };
}

function toReportDto(report: ReportDefinition<never, never>, actor: Actor): Report {
  const shape = (report.filters as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  return {
    Id: report.id,
    Title: report.title,
    Category: report.category,
    Description: report.description,
    Columns: report.columns.map((c) => c.header),
    Filters: Object.keys(shape),
    Formats: [...EXPORT_FILE_FORMATS],
    UiPath: report.uiPath[audienceOf(actor)] ?? null,
    ExportsUrl: `/api/v1/reports/${report.id}/exports`,
  };
}

/** The report, if this caller may run it; another audience's report is not found (as if it did not exist for them). */
export function reportForOrThrow(actor: Actor, id: string): ReportDefinition<Record<string, unknown>, unknown> {
  const report = findReport(id);
  if (!report?.audiences.includes(audienceOf(actor))) {
    throw notFound(`There is no report ${id} for this account; GET /api/v1/reports lists the ones it may run.`);
  }
  return report;
}

/** The filters checked against the report's own schema (as its download checks its query), as text values. */
export function checkedFiltersOrThrow(report: ReportDefinition<Record<string, unknown>, unknown>, filters: Record<string, unknown>): Record<string, string> {
  const asText = Object.fromEntries(Object.entries(filters).map(([name, value]) => [name, String(value)]));
  const parsed = report.filters.safeParse(asText);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => {
      const field = issue.path.length ? `Filters.${issue.path.join('.')}` : 'Filters';
      const message = issue.code === 'unrecognized_keys' ? `not a filter of ${report.title}: ${issue.keys.join(', ')}` : issue.message;
      return { field, message };
    });
    throw invalid(`These filters do not apply to ${report.title}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
  }
  return asText;
}

/** Makes the export job (or finds the identical one of the last 10 minutes) and wakes this process's worker. */
export async function requestReportExport(ctx: ServiceContext, actor: Actor, reportId: string, body: CreateExportBody) {
  const report = reportForOrThrow(actor, reportId);
  const filters = checkedFiltersOrThrow(report, body.Filters);
  const requested = await requestExport(ctx.db, actor, { report: report.id, format: body.Format, filters, now: ctx.clock.now() }, async (tx, exportId) => {
    const { id } = await enqueue(tx, reportExportKind, { exportId: exportId.toString(), actor });
    return id;
  });
  if (requested.created) wake();
  return requested;
}

/** The file of a completed export; 202 with Retry-After while it is being written. */
export async function sendExportFile(ctx: ServiceContext, reply: FastifyReply, job: ReportExport, running: () => unknown): Promise<FastifyReply> {
  if (job.status === 'QUEUED' || job.status === 'RUNNING') {
    reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
    return reply.status(202).send(running());
  }
  if (job.status === 'FAILED') throw conflict(`Export ${job.id} failed, so it has no file: ${job.error ?? 'no reason was recorded'}`);
  if (job.status === 'CANCELLED') throw conflict(`Export ${job.id} was cancelled, so it has no file; ask for a new one.`);
  if (job.expiresAt <= ctx.clock.now()) throw new DomainError('gone', `Export ${job.id} expired on ${job.expiresAt.toISOString()}; ask for a new one.`);
  reply.header('content-disposition', `attachment; filename="${job.fileName}"`);
  reply.header('content-length', String(job.bytes));
  reply.type(job.contentType ?? 'application/octet-stream');
  return reply.send(Readable.from(readExportContent(ctx.db, job.id)));
}

/** Reports → All Reports and the export jobs of each report. */
export async function reportRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'The report catalog: the reports this account (or operator) may run, by category',
        response: { 200: reportCatalogDto, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return { Items: reportsFor(actor).map((report) => toReportDto(report, actor)) };
    },
  );

  r.get(
    '/api/v1/report-exports',
    {
      schema: {
        tags: ['reports'],
        summary: "This account's exports of every report, newest first (Reports → All Reports' Recent exports)",
        querystring: exportListQuery,
        response: { 200: reportExportPageDto, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listExports(ctx.db, actorOf(request), { page: q.page, pageSize: q.pageSize, ...(q.status ? { status: q.status } : {}) });
      return { Items: page.items.map(toReportExportDto), Page: page.page, PageSize: page.pageSize, Total: page.total };
    },
  );

  r.post(
    '/api/v1/reports/:report/exports',
    {
      schema: {
        tags: ['reports'],
        summary:
          'Export a report with its filters as a file, asynchronously: 202 with the job (QUEUED), or 200 with the identical job asked for in the last 10 minutes. At most 3 jobs queued or running per account (429 past that); files are kept 7 days.',
        params: reportParams,
        body: createExportBody,
        response: { 200: reportExportDto, 202: reportExportDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { created, export: job } = await requestReportExport(ctx, actorOf(request), request.params.report, request.body);
      reply.header('location', exportUrl(job));
      return reply.status(created ? 202 : 200).send(toReportExportDto(job));
    },
  );

  r.get(
    '/api/v1/reports/:report/exports',
    {
      schema: {
        tags: ['reports'],
        summary: "This account's exports of the report, newest first",
        params: reportParams,
        querystring: exportListQuery,
        response: { 200: reportExportPageDto, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const report = reportForOrThrow(actor, request.params.report);
      const q = request.query;
      const page = await listExports(ctx.db, actor, { report: report.id, page: q.page, pageSize: q.pageSize, ...(q.status ? { status: q.status } : {}) });
      return { Items: page.items.map(toReportExportDto), Page: page.page, PageSize: page.pageSize, Total: page.total };
    },
  );

  r.get(
    '/api/v1/reports/:report/exports/:id',
    {
      schema: {
        tags: ['reports'],
        summary: 'One export job: its status, and its file’s size once written',
        params: reportExportParams,
        response: { 200: reportExportDto, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      reportForOrThrow(actor, request.params.report);
      return toReportExportDto(await getExportOrThrow(ctx.db, actor, request.params.report, BigInt(request.params.id)));
    },
  );

  r.get(
    '/api/v1/reports/:report/exports/:id/download',
    {
      schema: {
        tags: ['reports'],
        summary: 'The file of a COMPLETED export; 202 (with Retry-After and the job) while it is QUEUED or RUNNING; 409 when it FAILED or was CANCELLED; 410 once expired',
        params: reportExportParams,
        produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/pdf'],
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      reportForOrThrow(actor, request.params.report);
      const job = await getExportOrThrow(ctx.db, actor, request.params.report, BigInt(request.params.id));
      return sendExportFile(ctx, reply, job, () => toReportExportDto(job));
    },
  );

  r.delete(
    '/api/v1/reports/:report/exports/:id',
    {
      schema: {
        tags: ['reports'],
        summary: 'Cancel an export that is QUEUED or RUNNING (409 when it already COMPLETED or FAILED)',
        params: reportExportParams,
        response: { 200: reportExportDto, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      reportForOrThrow(actor, request.params.report);
      const cancelled = await cancelExport(ctx.db, actor, request.params.report, BigInt(request.params.id), ctx.clock.now());
      // A schedule's run whose export was cancelled says so in its history.
      await ctx.db.transaction((tx) => deliverScheduledExport(tx, cancelled, ctx.clock.now()));
      return toReportExportDto(cancelled);
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from '../../core/context.js';
import { forbidden, invalid, notFound } from '../../core/errors.js';
import { requireAccountActor, type AccountActor } from '../../modules/accounts/actor.js';
import { getExportOrThrow } from '../../modules/reports/exports.js';
import { getSftpAccess } from '../../modules/sftp-access/queries.js';
import {
  createSchedule,
  DAYS_OF_WEEK,
  deleteSchedule,
  getScheduleOrThrow,
  getScheduleRun,
  LAST_DAY_OF_MONTH,
  listScheduleRuns,
  listSchedules,
  setScheduleActive,
  updateSchedule,
  type ReportSchedule,
  type ScheduleInput,
  type ScheduleRun,
} from '../../modules/reports/schedules.js';
import { actorOf } from '../auth.js';
import { errorResponses, noContentResponses } from '../contract/common.js';
import {
  scheduleBody,
  scheduleDto,
  scheduleListQuery,
  schedulePageDto,
  scheduleParams,
  scheduleRunPageDto,
  scheduleRunParams,
  type ScheduleBody,
  type ScheduleDto,
} from '../contract/reports.js';
import { checkedFiltersOrThrow, reportForOrThrow, sendExportFile } from './reports.js';

function toScheduleDto(schedule: ReportSchedule): ScheduleDto {
  return {
    Id: schedule.id.toString(),
    Name: schedule.name,
    Report: schedule.report,
    Format: schedule.format,
    Filters: schedule.filters,
    DateRange: schedule.dateRange,
    Frequency: schedule.frequency,
    DayOfWeek: schedule.dayOfWeek === null ? null : DAYS_OF_WEEK[schedule.dayOfWeek]!,
    DayOfMonth: schedule.dayOfMonth === LAST_DAY_OF_MONTH ? 'LAST' : schedule.dayOfMonth,
    TimeOfDay: schedule.timeOfDay,
    TimeZone: schedule.timeZone,
    Delivery: schedule.delivery,
    Status: schedule.status,
    StoppedReason: schedule.stoppedReason,
    NextRunDate: schedule.nextRunAt?.toISOString() ?? null,
    LastRunDate: schedule.lastRunAt?.toISOString() ?? null,
    CreatedDate: schedule.createdAt.toISOString(),
    UserId: schedule.userId,
  };
}

function toRunDto(schedule: ReportSchedule, run: ScheduleRun) {
  return {
    Id: run.id.toString(),
    RunDate: run.runFor.toISOString(),
    Status: run.status,
    DeliveredTo: run.deliveredTo,
    Error: run.error,
    ExportId: run.exportId?.toString() ?? null,
    FinishedDate: run.finishedAt?.toISOString() ?? null,
    DownloadUrl: run.exportId === null ? null : `/api/v1/report-schedules/${schedule.id}/runs/${run.id}/download`,
  };
}

/** SFTP delivery puts the files into the account's SFTP folder `/reports`: a brand with an SFTP login only. */
async function checkDeliveryOrThrow(ctx: ServiceContext, actor: AccountActor, body: ScheduleBody): Promise<void> {
  if (body.Delivery !== 'SFTP') return;
  const access = actor.accountKind === 'BRAND' ? await getSftpAccess(ctx.db, actor.accountId) : undefined;
  if (!access || (!access.passwordSet && access.keys.length === 0)) {
    const message =
      actor.accountKind === 'BRAND'
        ? "the account has no SFTP login yet: set one up in an event type's Returns Processing (SFTP upload), or choose EMAIL"
        : 'only brand accounts have an SFTP folder; choose EMAIL';
    throw invalid(`Delivery: ${message}.`, { errors: [{ field: 'Delivery', message }] });
  }
}

/** The body as the service takes it: the report may run for this caller, its filters are its own, the timing is whole. */
function scheduleInputOf(actor: AccountActor, body: ScheduleBody): ScheduleInput {
  const report = reportForOrThrow(actor, body.Report);
  const filters = checkedFiltersOrThrow(report, body.Filters);
  const shape = (report.filters as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  if (body.DateRange !== 'NONE') {
    if (!('from' in shape && 'to' in shape)) {
      throw invalid(`DateRange: ${report.title} has no date filters; use NONE.`, { errors: [{ field: 'DateRange', message: `${report.title} has no date filters` }] });
    }
    const named = ['from', 'to'].filter((name) => name in filters);
    if (named.length) {
      const message = `give the dates either as DateRange or as Filters.${named.join('/')}, not both`;
      throw invalid(`Filters: ${message}.`, { errors: [{ field: `Filters.${named[0]}`, message }] });
    }
  }
  return {
    name: body.Name,
    report: report.id,
    format: body.Format,
    filters,
    dateRange: body.DateRange,
    frequency: body.Frequency,
    dayOfWeek: body.DayOfWeek === null ? null : DAYS_OF_WEEK.indexOf(body.DayOfWeek),
    dayOfMonth: body.DayOfMonth === 'LAST' ? LAST_DAY_OF_MONTH : body.DayOfMonth,
    timeOfDay: body.TimeOfDay,
    timeZone: body.TimeZone ?? actor.accountTimeZone,
    delivery: body.Delivery,
  };
}

/** Everyone of the account sees its schedules; only their own user or an admin changes one. */
async function changeableOrThrow(ctx: ServiceContext, actor: AccountActor, id: bigint): Promise<ReportSchedule> {
  const schedule = await getScheduleOrThrow(ctx.db, actor, id);
  if (actor.role !== 'ADMIN' && schedule.userId !== actor.userId) throw forbidden(`Schedule ${id} is another user's: only they or an admin of the account may change it.`);
  return schedule;
}

/** Reports → Schedules: a report run daily, weekly or monthly and e-mailed. */
export async function reportScheduleRoutes(app: FastifyInstance, opts: { ctx: ServiceContext }): Promise<void> {
  const { ctx } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const accountActor = (request: Parameters<typeof actorOf>[0]) => requireAccountActor(actorOf(request));

  r.get(
    '/api/v1/report-schedules',
    { schema: { tags: ['reports'], summary: "The account's scheduled reports", querystring: scheduleListQuery, response: { 200: schedulePageDto, ...errorResponses } } },
    async (request) => {
      const page = await listSchedules(ctx.db, accountActor(request), request.query.page, request.query.pageSize);
      return { Items: page.items.map(toScheduleDto), Page: page.page, PageSize: page.pageSize, Total: page.total };
    },
  );

  r.post(
    '/api/v1/report-schedules',
    {
      schema: {
        tags: ['reports'],
        summary: 'Schedule a report: daily, weekly (DayOfWeek) or monthly (DayOfMonth) at TimeOfDay in TimeZone, its dates relative to each run, e-mailed to you',
        body: scheduleBody,
        response: { 201: scheduleDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = accountActor(request);
      const input = scheduleInputOf(actor, request.body);
      await checkDeliveryOrThrow(ctx, actor, request.body);
      const schedule = await createSchedule(ctx.db, actor, input, ctx.clock.now());
      reply.header('location', `/api/v1/report-schedules/${schedule.id}`);
      return reply.status(201).send(toScheduleDto(schedule));
    },
  );

  r.get(
    '/api/v1/report-schedules/:id',
    { schema: { tags: ['reports'], summary: 'One schedule', params: scheduleParams, response: { 200: scheduleDto, ...errorResponses } } },
    async (request) => toScheduleDto(await getScheduleOrThrow(ctx.db, accountActor(request), BigInt(request.params.id))),
  );

  r.put(
    '/api/v1/report-schedules/:id',
    {
      schema: {
        tags: ['reports'],
        summary: 'Edit a schedule (the whole schedule again); its next run is worked out anew',
        params: scheduleParams,
        body: scheduleBody,
        response: { 200: scheduleDto, ...errorResponses },
      },
    },
    async (request) => {
      const actor = accountActor(request);
      const id = BigInt(request.params.id);
      await changeableOrThrow(ctx, actor, id);
      const input = scheduleInputOf(actor, request.body);
      await checkDeliveryOrThrow(ctx, actor, request.body);
      return toScheduleDto(await updateSchedule(ctx.db, actor, id, input, ctx.clock.now()));
    },
  );

  for (const [action, active] of [
    ['pause', false],
    ['resume', true],
  ] as const) {
    r.post(
      `/api/v1/report-schedules/:id/${action}`,
      {
        schema: {
          tags: ['reports'],
          summary: active ? 'Resume a paused schedule: it runs next at its next time from now' : 'Pause a schedule: no runs until it is resumed',
          params: scheduleParams,
          response: { 200: scheduleDto, ...errorResponses },
        },
      },
      async (request) => {
        const actor = accountActor(request);
        const id = BigInt(request.params.id);
        await changeableOrThrow(ctx, actor, id);
        return toScheduleDto(await setScheduleActive(ctx.db, actor, id, active, ctx.clock.now()));
      },
    );
  }

  r.delete(
    '/api/v1/report-schedules/:id',
    { schema: { tags: ['reports'], summary: 'Delete a schedule and its run history (files already sent stay sent)', params: scheduleParams, response: noContentResponses } },
    async (request, reply) => {
      const actor = accountActor(request);
      const id = BigInt(request.params.id);
      await changeableOrThrow(ctx, actor, id);
      await deleteSchedule(ctx.db, actor, id);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/v1/report-schedules/:id/runs',
    {
      schema: { tags: ['reports'], summary: "A schedule's runs, newest first, each with its file while kept", params: scheduleParams, querystring: scheduleListQuery, response: { 200: scheduleRunPageDto, ...errorResponses } },
    },
    async (request) => {
      const schedule = await getScheduleOrThrow(ctx.db, accountActor(request), BigInt(request.params.id));
      const page = await listScheduleRuns(ctx.db, schedule.id, request.query.page, request.query.pageSize);
      return { Items: page.items.map((run) => toRunDto(schedule, run)), Page: page.page, PageSize: page.pageSize, Total: page.total };
    },
  );

  r.get(
    '/api/v1/report-schedules/:id/runs/:runId/download',
    {
      schema: {
        tags: ['reports'],
        summary: "A run's file (202 while it is written)",
        params: scheduleRunParams,
        produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/pdf'],
      },
    },
    async (request, reply) => {
      const actor = accountActor(request);
      const schedule = await getScheduleOrThrow(ctx.db, actor, BigInt(request.params.id));
      const run = await getScheduleRun(ctx.db, schedule.id, BigInt(request.params.runId));
      if (!run?.exportId) throw notFound(`Run ${request.params.runId} of schedule ${schedule.id} has no file (it was deleted after 7 days, or never written).`);
      // The run's export is the account's (its user asked for it); any member of the account who sees the schedule may read it.
      const job = await getExportOrThrow(ctx.db, actor, null, run.exportId).catch(() => {
        throw notFound(`Run ${run.id}'s file is no longer kept.`);
      });
      return sendExportFile(ctx, reply, job, () => toRunDto(schedule, run));
    },
  );
}

/**
 * Scheduled reports (issue 16 item 3): this module owns `report_schedules` and
 * `report_schedule_runs`. A schedule runs a report daily, weekly (on a day) or monthly (on a
 * day of the month, or its last day) at a time of day in a time zone; each run is a report
 * export whose date filters are the schedule's date range as of the run ("last 7 days" from
 * a run on Monday 08:00 is the seven whole days before that Monday, in the schedule's time
 * zone), delivered by e-mail or into the account's SFTP folder once written.
 */
import { Cron } from 'croner';
import { Temporal } from 'temporal-polyfill';
import { conflict, invalid, notFound } from '../../core/errors.js';
import { isValidTimeZone } from '../../core/time-zone.js';
import type { Db, Sql } from '../../db/types.js';
import type { AccountActor } from '../accounts/actor.js';
import type { ExportFileFormat } from './types.js';

import { LAST_DAY_OF_MONTH, type DateRange, type ScheduleDelivery, type ScheduleFrequency, type ScheduleState } from './types.js';

export {
  DATE_RANGES,
  DAYS_OF_WEEK,
  LAST_DAY_OF_MONTH,
  SCHEDULE_DELIVERIES,
  SCHEDULE_FREQUENCIES,
  SCHEDULE_STATES,
  type DateRange,
  type ScheduleDelivery,
  type ScheduleFrequency,
  type ScheduleState,
} from './types.js';

/** What a schedule is asked to do: the body of its creation and of each edit. */
export interface ScheduleInput {
  name: string;
  report: string;
  format: ExportFileFormat;
  filters: Record<string, string>;
  dateRange: DateRange;
  frequency: ScheduleFrequency;
  dayOfWeek: number | null;
  dayOfMonth: number | null;
  timeOfDay: string;
  timeZone: string;
  delivery: ScheduleDelivery;
}

/** A stored schedule: its input, whose it is, and where it stands. */
export interface ReportSchedule extends ScheduleInput {
  id: bigint;
  accountId: number;
  userId: number | null;
  status: ScheduleState;
  stoppedReason: string | null;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id::text as id, account_id as "accountId", user_id as "userId", name, report, format, filters, date_range as "dateRange",
  frequency, day_of_week as "dayOfWeek", day_of_month as "dayOfMonth", time_of_day as "timeOfDay", time_zone as "timeZone", delivery,
  status, stopped_reason as "stoppedReason", next_run_at as "nextRunAt", last_run_at as "lastRunAt", created_at as "createdAt",
  updated_at as "updatedAt"`;

type Stored = Omit<ReportSchedule, 'id'> & { id: string };
const scheduleOf = (row: Stored): ReportSchedule => ({ ...row, id: BigInt(row.id) });

/** The schedule's timing checked, field by field: every problem at once. */
export function checkTimingOrThrow(input: Pick<ScheduleInput, 'frequency' | 'dayOfWeek' | 'dayOfMonth' | 'timeOfDay' | 'timeZone'>): void {
  const errors: Array<{ field: string; message: string }> = [];
  if (!isValidTimeZone(input.timeZone)) errors.push({ field: 'TimeZone', message: `"${input.timeZone}" is not an IANA time zone (e.g. Europe/Paris, America/New_York).` });
  if (!/^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(input.timeOfDay)) errors.push({ field: 'TimeOfDay', message: `"${input.timeOfDay}" is not a time of day as HH:MM (00:00 to 23:59).` });
  if (input.frequency === 'WEEKLY' && (input.dayOfWeek === null || !Number.isInteger(input.dayOfWeek) || input.dayOfWeek < 0 || input.dayOfWeek > 6)) {
    errors.push({ field: 'DayOfWeek', message: 'A weekly schedule names its day: SUNDAY to SATURDAY.' });
  }
  if (input.frequency !== 'WEEKLY' && input.dayOfWeek !== null) errors.push({ field: 'DayOfWeek', message: `Only a weekly schedule has a day of the week, not a ${input.frequency.toLowerCase()} one.` });
  if (input.frequency === 'MONTHLY') {
    const day = input.dayOfMonth;
    if (day === null || !Number.isInteger(day) || !((day >= 1 && day <= 28) || day === LAST_DAY_OF_MONTH)) {
      errors.push({ field: 'DayOfMonth', message: 'A monthly schedule runs on a day from 1 to 28, or on the last day of the month (-1): every month has those.' });
    }
  } else if (input.dayOfMonth !== null) errors.push({ field: 'DayOfMonth', message: `Only a monthly schedule has a day of the month, not a ${input.frequency.toLowerCase()} one.` });
  if (errors.length) throw invalid(errors.map((e) => `${e.field}: ${e.message}`).join(' '), { errors });
}

/** The first run strictly after `after`, in the schedule's own time zone. */
export function nextRunAfter(schedule: Pick<ScheduleInput, 'frequency' | 'dayOfWeek' | 'dayOfMonth' | 'timeOfDay' | 'timeZone'>, after: Date): Date {
  const [hour, minute] = schedule.timeOfDay.split(':').map(Number) as [number, number];
  const day = schedule.frequency === 'MONTHLY' ? (schedule.dayOfMonth === LAST_DAY_OF_MONTH ? 'L' : String(schedule.dayOfMonth)) : '*';
  const weekday = schedule.frequency === 'WEEKLY' ? String(schedule.dayOfWeek) : '*';
  const cron = new Cron(`${minute} ${hour} ${day} * ${weekday}`, { timezone: schedule.timeZone, paused: true });
  const next = cron.nextRun(after);
  cron.stop();
  if (!next) throw new Error(`The schedule ${schedule.frequency} ${schedule.timeOfDay} ${schedule.timeZone} has no next run.`);
  return next;
}

/**
 * The date range as of a run, as the report's `from` (inclusive) and `to` (exclusive)
 * filters: whole days in the schedule's time zone.
 */
export function dateRangeOf(range: DateRange, runAt: Date, timeZone: string): { from: Date; to: Date } | null {
  if (range === 'NONE') return null;
  const today = Temporal.Instant.fromEpochMilliseconds(runAt.getTime()).toZonedDateTimeISO(timeZone).toPlainDate();
  const start = (date: Temporal.PlainDate) => new Date(date.toZonedDateTime({ timeZone }).epochMilliseconds);
  switch (range) {
    case 'YESTERDAY':
      return { from: start(today.subtract({ days: 1 })), to: start(today) };
    case 'LAST_7_DAYS':
      return { from: start(today.subtract({ days: 7 })), to: start(today) };
    case 'LAST_30_DAYS':
      return { from: start(today.subtract({ days: 30 })), to: start(today) };
    case 'PREVIOUS_WEEK': {
      // Weeks start on Monday (ISO 8601).
      const monday = today.subtract({ days: today.dayOfWeek - 1 });
      return { from: start(monday.subtract({ days: 7 })), to: start(monday) };
    }
    case 'PREVIOUS_MONTH': {
      const first = today.with({ day: 1 });
      return { from: start(first.subtract({ months: 1 })), to: start(first) };
    }
    case 'MONTH_TO_DATE':
      return { from: start(today.with({ day: 1 })), to: runAt };
  }
}

/** A schedule's input as the parameters of its insert and update, in their column order (name … delivery). */
function inputParams(input: ScheduleInput): unknown[] {
  const { name, report, format, filters, dateRange, frequency, dayOfWeek, dayOfMonth, timeOfDay, timeZone, delivery } = input;
  return [name, report, format, JSON.stringify(filters), dateRange, frequency, dayOfWeek, dayOfMonth, timeOfDay, timeZone, delivery];
}

export async function createSchedule(db: Db, actor: AccountActor, input: ScheduleInput, now: Date): Promise<ReportSchedule> {
  checkTimingOrThrow(input);
  const next = nextRunAfter(input, now);
  const { rows } = await db.query<Stored>(
    `insert into report_schedules (account_id, user_id, name, report, format, filters, date_range, frequency, day_of_week, day_of_month,
                                   time_of_day, time_zone, delivery, status, next_run_at, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, $13, 'ACTIVE', $14, $15, $15)
     returning ${COLUMNS}`,
    [
      actor.accountId,
      actor.userId,
      ...inputParams(input),
      next,
      now,
    ],
  );
  return scheduleOf(rows[0]!);
}

export async function getScheduleOrThrow(sql: Sql, actor: AccountActor, id: bigint): Promise<ReportSchedule> {
  const { rows } = await sql.query<Stored>(`select ${COLUMNS} from report_schedules where id = $1 and account_id = $2`, [id.toString(), actor.accountId]);
  if (!rows[0]) throw notFound(`Schedule ${id} was not found in this account.`);
  return scheduleOf(rows[0]);
}

export async function getScheduleById(sql: Sql, id: bigint): Promise<ReportSchedule | null> {
  const { rows } = await sql.query<Stored>(`select ${COLUMNS} from report_schedules where id = $1`, [id.toString()]);
  return rows[0] ? scheduleOf(rows[0]) : null;
}

export async function listSchedules(sql: Sql, actor: AccountActor, page: number, pageSize: number): Promise<{ items: ReportSchedule[]; total: number; page: number; pageSize: number }> {
  const total = await sql.query<{ n: number }>('select count(*)::int as n from report_schedules where account_id = $1', [actor.accountId]);
  const { rows } = await sql.query<Stored>(
    `select ${COLUMNS} from report_schedules where account_id = $1 order by id desc limit ${pageSize} offset ${(page - 1) * pageSize}`,
    [actor.accountId],
  );
  return { items: rows.map(scheduleOf), total: total.rows[0]?.n ?? 0, page, pageSize };
}

/** Edits a schedule: the whole input again; its next run is worked out anew (a stopped one stays stopped). */
export async function updateSchedule(db: Db, actor: AccountActor, id: bigint, input: ScheduleInput, now: Date): Promise<ReportSchedule> {
  checkTimingOrThrow(input);
  return db.transaction(async (tx) => {
    const before = await getScheduleOrThrow(tx, actor, id);
    const next = before.status === 'ACTIVE' ? nextRunAfter(input, now) : null;
    const { rows } = await tx.query<Stored>(
      `update report_schedules set name = $3, report = $4, format = $5, filters = $6::jsonb, date_range = $7, frequency = $8, day_of_week = $9,
              day_of_month = $10, time_of_day = $11, time_zone = $12, delivery = $13, next_run_at = $14, updated_at = $15
        where id = $1 and account_id = $2 returning ${COLUMNS}`,
      [
        id.toString(),
        actor.accountId,
        ...inputParams(input),
        next,
        now,
      ],
    );
    return scheduleOf(rows[0]!);
  });
}

/** Pauses (no runs) or resumes (the next run after now) a schedule; a stopped one cannot be resumed (its user left). */
export async function setScheduleActive(db: Db, actor: AccountActor, id: bigint, active: boolean, now: Date): Promise<ReportSchedule> {
  return db.transaction(async (tx) => {
    const before = await getScheduleOrThrow(tx, actor, id);
    if (before.status === 'STOPPED') throw conflict(`Schedule ${id} stopped: ${before.stoppedReason ?? 'its user left the account'}. Make a new schedule instead.`);
    const next = active ? nextRunAfter(before, now) : null;
    const { rows } = await tx.query<Stored>(
      `update report_schedules set status = $3, next_run_at = $4, updated_at = $5 where id = $1 and account_id = $2 returning ${COLUMNS}`,
      [id.toString(), actor.accountId, active ? 'ACTIVE' : 'PAUSED', next, now],
    );
    return scheduleOf(rows[0]!);
  });
}

export async function deleteSchedule(db: Db, actor: AccountActor, id: bigint): Promise<void> {
  await getScheduleOrThrow(db, actor, id);
  await db.query('delete from report_schedules where id = $1 and account_id = $2', [id.toString(), actor.accountId]);
}

/**
 * The schedules due at `now`, locked for this run (SKIP LOCKED: another instance takes
 * others), at most `limit`. The caller records their runs and moves them on in the same
 * transaction.
 */
export async function claimDueSchedules(tx: Sql, now: Date, limit: number): Promise<ReportSchedule[]> {
  const { rows } = await tx.query<Stored>(
    `select ${COLUMNS} from report_schedules where status = 'ACTIVE' and next_run_at <= $1 order by next_run_at, id limit ${limit} for update skip locked`,
    [now],
  );
  return rows.map(scheduleOf);
}

/** A run recorded and the schedule moved on to its next run. False when this run was recorded already. */
export async function recordScheduleRun(tx: Sql, schedule: ReportSchedule, now: Date): Promise<bigint | null> {
  const runFor = schedule.nextRunAt!;
  const { rows } = await tx.query<{ id: string }>(
    `insert into report_schedule_runs (schedule_id, run_for, status, created_at) values ($1, $2, 'RUNNING', $3)
     on conflict (schedule_id, run_for) do nothing returning id::text as id`,
    [schedule.id.toString(), runFor, now],
  );
  // Catch up without a burst: a schedule that missed runs (the server was down) runs once, then from now.
  await tx.query('update report_schedules set last_run_at = $2, next_run_at = $3 where id = $1', [schedule.id.toString(), runFor, nextRunAfter(schedule, now)]);
  return rows[0] ? BigInt(rows[0].id) : null;
}

export async function attachRunExport(tx: Sql, runId: bigint, exportId: bigint): Promise<void> {
  await tx.query('update report_schedule_runs set export_id = $2 where id = $1', [runId.toString(), exportId.toString()]);
}

/** A schedule whose user left the account (or was erased) stops for good, with the reason. */
export async function stopSchedule(tx: Sql, id: bigint, reason: string, now: Date): Promise<void> {
  await tx.query(`update report_schedules set status = 'STOPPED', stopped_reason = $2, next_run_at = null, updated_at = $3 where id = $1`, [id.toString(), reason, now]);
}

export async function finishScheduleRun(tx: Sql, runId: bigint, outcome: { delivered: boolean; deliveredTo: string | null; error: string | null }, now: Date): Promise<void> {
  await tx.query(`update report_schedule_runs set status = $2, delivered_to = $3, error = $4, finished_at = $5 where id = $1 and status = 'RUNNING'`, [
    runId.toString(),
    outcome.delivered ? 'DELIVERED' : 'FAILED',
    outcome.deliveredTo,
    outcome.error?.slice(0, 2000) ?? null,
    now,
  ]);
}

export interface ScheduleRun {
  id: bigint;
  scheduleId: bigint;
  runFor: Date;
  exportId: bigint | null;
  status: 'RUNNING' | 'DELIVERED' | 'FAILED';
  deliveredTo: string | null;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const RUN_COLUMNS = `id::text as id, schedule_id::text as "scheduleId", run_for as "runFor", export_id::text as "exportId", status,
  delivered_to as "deliveredTo", error, created_at as "createdAt", finished_at as "finishedAt"`;
type StoredRun = Omit<ScheduleRun, 'id' | 'scheduleId' | 'exportId'> & { id: string; scheduleId: string; exportId: string | null };
const runOf = (row: StoredRun): ScheduleRun => ({ ...row, id: BigInt(row.id), scheduleId: BigInt(row.scheduleId), exportId: row.exportId === null ? null : BigInt(row.exportId) });

export async function listScheduleRuns(sql: Sql, scheduleId: bigint, page: number, pageSize: number): Promise<{ items: ScheduleRun[]; total: number; page: number; pageSize: number }> {
  const total = await sql.query<{ n: number }>('select count(*)::int as n from report_schedule_runs where schedule_id = $1', [scheduleId.toString()]);
  const { rows } = await sql.query<StoredRun>(
    `select ${RUN_COLUMNS} from report_schedule_runs where schedule_id = $1 order by run_for desc, id desc limit ${pageSize} offset ${(page - 1) * pageSize}`,
    [scheduleId.toString()],
  );
  return { items: rows.map(runOf), total: total.rows[0]?.n ?? 0, page, pageSize };
}

/** The run that made an export, if a schedule made it. */
export async function runOfExport(sql: Sql, exportId: bigint): Promise<ScheduleRun | null> {
  const { rows } = await sql.query<StoredRun>(`select ${RUN_COLUMNS} from report_schedule_runs where export_id = $1`, [exportId.toString()]);
  return rows[0] ? runOf(rows[0]) : null;
}

export async function getScheduleRun(sql: Sql, scheduleId: bigint, runId: bigint): Promise<ScheduleRun | null> {
  const { rows } = await sql.query<StoredRun>(`select ${RUN_COLUMNS} from report_schedule_runs where schedule_id = $1 and id = $2`, [scheduleId.toString(), runId.toString()]);
  return rows[0] ? runOf(rows[0]) : null;
}

/** A scheduled report's file as the account's SFTP folder `/reports` shows it. */
export interface SftpReportFile {
  name: string;
  exportId: bigint;
  bytes: number;
  completedAt: Date;
}

/**
 * The `/reports` folder of an account's SFTP tree: the files of its schedules delivered by
 * SFTP, while they are kept (7 days), newest first, each named after its schedule and run
 * (`weekly-pending-7_2026-12-07_0700.xlsx`), so that two runs never share a name.
 */
export async function listSftpReportFiles(sql: Sql, accountId: number, now: Date): Promise<SftpReportFile[]> {
  const { rows } = await sql.query<{ scheduleId: string; name: string; runFor: Date; exportId: string; bytes: number; completedAt: Date; format: string }>(
    `select s.id::text as "scheduleId", s.name, r.run_for as "runFor", e.id::text as "exportId", e.bytes::float8 as bytes, e.completed_at as "completedAt", e.format
       from report_schedules s
       join report_schedule_runs r on r.schedule_id = s.id and r.status = 'DELIVERED'
       join report_exports e on e.id = r.export_id and e.status = 'COMPLETED' and e.expires_at > $2
      where s.account_id = $1 and s.delivery = 'SFTP'
      order by r.run_for desc, r.id desc`,
    [accountId, now],
  );
  return rows.map((row) => ({
    name: sftpReportFileName(row.name, BigInt(row.scheduleId), row.runFor, row.format),
    exportId: BigInt(row.exportId),
    bytes: row.bytes,
    completedAt: row.completedAt,
  }));
}

/** A run's file name in `/reports`: the schedule's name and id, the run's time (UTC). */
export function sftpReportFileName(scheduleName: string, scheduleId: bigint, runFor: Date, format: string): string {
  const slug = scheduleName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'report';
  const at = runFor.toISOString();
  return `${slug}-${scheduleId}_${at.slice(0, 10)}_${at.slice(11, 13)}${at.slice(14, 16)}.${format}`;
}

/** Whether the account has a schedule delivered by SFTP (its SFTP root then shows `/reports`). */
export async function hasSftpSchedules(sql: Sql, accountId: number): Promise<boolean> {
  const { rows } = await sql.query(`select 1 from report_schedules where account_id = $1 and delivery = 'SFTP' limit 1`, [accountId]);
  return rows.length > 0;
}

/**
 * Erasure (account closure): the closed account's schedules go with their run history (a
 * schedule's name is text its user typed); their exports go with the account's exports.
 */
export async function deleteSchedulesOfClosedAccount(tx: Sql, accountId: number): Promise<void> {
  await tx.query('delete from report_schedule_runs where schedule_id in (select id from report_schedules where account_id = $1)', [accountId]);
  await tx.query('delete from report_schedules where account_id = $1', [accountId]);
}

/**
 * Running scheduled reports: each minute the schedules that are due are claimed (SKIP
 * LOCKED, so N instances share them), each gets its run recorded and its export queued in
 * one transaction with the schedule moved on to its next run; the export job writes the
 * file; once written (or failed) the run is delivered (schedule-delivery.ts). A schedule whose user is no longer a member of the account (or whose account
 * closed) stops, with the reason.
 */
import type { ServiceContext } from '../../core/context.js';
import type { Sql } from '../../db/types.js';
import type { AccountActor } from '../../modules/accounts/actor.js';
import { requestExportInTx } from '../../modules/reports/exports.js';
import { attachRunExport, claimDueSchedules, dateRangeOf, recordScheduleRun, stopSchedule, type ReportSchedule } from '../../modules/reports/schedules.js';
import { enqueue } from '../../worker/index.js';
import { reportExportKind } from './export-job.js';

const SCHEDULES_PER_RUN = 50;


interface Member {
  email: string;
  role: 'ADMIN' | 'USER';
  accountKind: 'BRAND' | 'PARTNER';
  accountTimeZone: string;
}

/** The schedule's user as a member of its account now, or why not. */
async function memberOf(tx: Sql, schedule: ReportSchedule): Promise<Member | string> {
  if (schedule.userId === null) return 'its user was deleted';
  const { rows } = await tx.query<Member & { accountStatus: string; disabled: boolean }>(
    `select u.email, m.role, a.kind as "accountKind", a.time_zone as "accountTimeZone", a.status as "accountStatus", u.disabled_at is not null as disabled
       from users u join accounts a on a.id = $2 left join memberships m on m.user_id = u.id and m.account_id = a.id
      where u.id = $1`,
    [schedule.userId, schedule.accountId],
  );
  const row = rows[0];
  if (!row) return 'its user was deleted';
  if (row.accountStatus === 'CLOSED') return 'the account was closed';
  if (row.disabled) return 'its user was disabled';
  if (!row.role) return 'its user is no longer a member of the account';
  return row;
}

/** The filters of this run: the schedule's, with the date range's `from` and `to` as of the run. */
export function runFilters(schedule: ReportSchedule, runAt: Date): Record<string, string> {
  const range = dateRangeOf(schedule.dateRange, runAt, schedule.timeZone);
  return range ? { ...schedule.filters, from: range.from.toISOString(), to: range.to.toISOString() } : { ...schedule.filters };
}

/** Runs the schedules due now: records each run and queues its export. How many ran. */
export async function runDueSchedules(ctx: ServiceContext): Promise<number> {
  let ran = 0;
  for (;;) {
    const now = ctx.clock.now();
    const claimed = await ctx.db.transaction(async (tx) => {
      const due = await claimDueSchedules(tx, now, SCHEDULES_PER_RUN);
      for (const schedule of due) {
        const member = await memberOf(tx, schedule);
        if (typeof member === 'string') {
          await stopSchedule(tx, schedule.id, `Stopped: ${member}.`, now);
          continue;
        }
        const runId = await recordScheduleRun(tx, schedule, now);
        if (runId === null) continue;
        const actor: AccountActor = {
          type: 'account',
          userId: schedule.userId!,
          accountId: schedule.accountId,
          accountKind: member.accountKind,
          accountTimeZone: member.accountTimeZone,
          role: member.role,
          via: 'session',
        };
        const { export: job } = await requestExportInTx(
          tx,
          actor,
          { report: schedule.report, format: schedule.format, filters: runFilters(schedule, schedule.nextRunAt!), now },
          async (inner, exportId) => (await enqueue(inner, reportExportKind, { exportId: exportId.toString(), actor })).id,
          { scheduled: true },
        );
        await attachRunExport(tx, runId, job.id);
        ran += 1;
      }
      return due.length;
    });
    if (claimed < SCHEDULES_PER_RUN) return ran;
  }
}

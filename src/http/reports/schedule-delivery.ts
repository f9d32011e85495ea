/**
 * Delivering a scheduled report's run once its export is written (or has failed): by
 * e-mail to the schedule's user, the file attached, or linked when it is larger than
 * SCHEDULE_ATTACHMENT_MAX_BYTES (the link needs a login); or into the brand's SFTP folder
 * `/reports`, which lists the delivered runs' files while they are kept (the SFTP server
 * reads them from the export); the run's history says how it went. Runs in the export's last transaction; the e-mail leaves from the outbox after
 * commit, and reads the file then (the attachment is a reference, not a copy).
 */
import { Readable } from 'node:stream';
import type { Sql } from '../../db/types.js';
import { getExportById, readExportContent, type ReportExport } from '../../modules/reports/exports.js';
import { finishScheduleRun, runOfExport, sftpReportFileName } from '../../modules/reports/schedules.js';
import { mailPublicUrl, queueEmailInTx, registerEmailAttachmentSource } from '../../outbox/emails.js';
import { findReport } from './catalog.js';

/** A file up to this size is attached to the e-mail; a larger one is linked (the link needs a login). */
export const SCHEDULE_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;

registerEmailAttachmentSource('report-export', async (db, ref) => {
  const job = await getExportById(db, BigInt(ref));
  if (job?.status !== 'COMPLETED' || !job.fileName) return undefined;
  return { filename: job.fileName, contentType: job.contentType ?? 'application/octet-stream', content: Readable.from(readExportContent(db, job.id)) };
});

/**
 * After an export is written or has failed: if a schedule's run made it, deliver it and
 * record how that went, in the caller's transaction (the e-mail leaves from the outbox
 * after commit).
 */
export async function deliverScheduledExport(tx: Sql, job: ReportExport, now: Date): Promise<void> {
  const run = await runOfExport(tx, job.id);
  if (run?.status !== 'RUNNING') return;
  const { rows } = await tx.query<{ email: string | null; name: string; delivery: string }>(
    'select u.email, s.name, s.delivery from report_schedules s left join users u on u.id = s.user_id where s.id = $1',
    [run.scheduleId.toString()],
  );
  const schedule = rows[0];
  if (!schedule?.email) return finishScheduleRun(tx, run.id, { delivered: false, deliveredTo: null, error: 'Its user was deleted.' }, now);
  if (job.status !== 'COMPLETED') {
    return finishScheduleRun(tx, run.id, { delivered: false, deliveredTo: null, error: `The export ${job.status === 'FAILED' ? `failed: ${job.error}` : 'was cancelled'}.` }, now);
  }
  if (schedule.delivery === 'SFTP') {
    const file = sftpReportFileName(schedule.name, run.scheduleId, run.runFor, job.format);
    return finishScheduleRun(tx, run.id, { delivered: true, deliveredTo: `SFTP /reports/${file}`, error: null }, now);
  }
  const report = findReport(job.report);
  const title = report?.title ?? job.report;
  const download = `${mailPublicUrl() ?? ''}/api/v1/reports/${job.report}/exports/${job.id}/download`;
  const attach = job.bytes <= SCHEDULE_ATTACHMENT_MAX_BYTES;
  const text = [
    `Your scheduled report "${schedule.name}" (${title}) ran on ${run.runFor.toISOString()} and holds ${job.rowsWritten.toLocaleString('en-US')} rows.`,
    attach
      ? `The file ${job.fileName} is attached.`
      : `The file ${job.fileName} is ${(job.bytes / 1024 / 1024).toFixed(1)} MB, too large to attach; download it (after logging in) from ${download}`,
    `It is kept until ${job.expiresAt.toISOString()}. Pause or change the schedule in Reports → Schedules.`,
  ].join('\n\n');
  const queued = await queueEmailInTx(tx, now, {
    purpose: 'report-schedule',
    subject: `report-schedule-run:${run.id}`,
    message: {
      to: schedule.email,
      subject: `Scheduled report: ${schedule.name}`,
      text,
      ...(attach ? { attachments: [{ source: 'report-export', ref: job.id.toString() }] } : {}),
    },
  });
  await finishScheduleRun(
    tx,
    run.id,
    queued
      ? { delivered: true, deliveredTo: schedule.email, error: null }
      : { delivered: false, deliveredTo: null, error: 'E-mail is not configured on this server (SMTP_RELAY_URL); the file is in the run history.' },
    now,
  );
}


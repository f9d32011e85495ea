/**
 * The worker's side of a report export: the report's rows, written in the format asked for
 * (the same writer as the downloads, src/http/table-export.ts), stored a chunk at a time as
 * they come out of the writer. Each chunk is one transaction with the job's running size,
 * so the file never sits in memory and the database is read only as fast as the file is
 * stored. A worker stopped or killed mid-file leaves the item to the next attempt, which
 * starts the file again (startExport drops what the earlier attempt wrote). A job cancelled
 * meanwhile stops at its next chunk.
 */
import type { Readable } from 'node:stream';
import { DomainError } from '../../core/errors.js';
import type { Actor } from '../../modules/accounts/actor.js';
import {
  appendExportChunk,
  completeExport,
  EXPORT_CHUNK_BYTES,
  failExport,
  getExportById,
  startExport,
  type ReportExport,
} from '../../modules/reports/exports.js';
import type { Sql } from '../../db/types.js';
import { LeaseLostError, registerKind, WorkerStoppingError, type WorkContext } from '../../worker/index.js';
import { aboutLines, EXPORT_FORMATS, exportStream, pdfDate } from '../table-export.js';
import { findReport } from './catalog.js';
import { deliverScheduledExport } from './schedule-delivery.js';

export interface ReportExportPayload {
  exportId: string;
  /** Who asked: the report runs with their access, as their download would. */
  actor: Actor;
}

export const reportExportKind = registerKind<ReportExportPayload, { started?: boolean }>('report-export', (ctx) => writeExportOrGiveUp(ctx), {
  maxAttempts: 3,
  leaseMs: 120_000,
  backoff: { baseMs: 5000, maxMs: 300_000 },
});

/** The file's name: `pending-payouts-actions-2026-12-04.csv`. */
export function exportFileName(job: Pick<ReportExport, 'report' | 'format' | 'createdAt'>): string {
  const report = findReport(job.report);
  return `${report?.fileName ?? job.report}-${job.createdAt.toISOString().slice(0, 10)}.${job.format}`;
}

/**
 * The last attempt that fails marks the job FAILED (and tells its schedule's run), so the
 * person waiting for it learns it will not come instead of a 202 for ever; the work item
 * goes DEAD with the error, for the operators.
 */
async function writeExportOrGiveUp(ctx: WorkContext<ReportExportPayload, { started?: boolean }>): Promise<{ started?: boolean }> {
  try {
    return await writeExport(ctx);
  } catch (error) {
    if (ctx.item.attempt >= ctx.item.maxAttempts && !(error instanceof WorkerStoppingError) && !(error instanceof LeaseLostError)) {
      const id = BigInt(ctx.payload.exportId);
      const message = `The file could not be written after ${ctx.item.attempt} attempts (${error instanceof Error ? error.message : String(error)}); ask for it again.`;
      await ctx.db.transaction(async (tx) => {
        await failExport(tx, id, message, ctx.clock.now());
        const failed = await getExportById(tx, id);
        if (failed) await deliverScheduledExport(tx, failed, ctx.clock.now());
      });
    }
    throw error;
  }
}

async function writeExport(ctx: WorkContext<ReportExportPayload, { started?: boolean }>): Promise<{ started?: boolean }> {
  const id = BigInt(ctx.payload.exportId);
  const job = await getExportById(ctx.db, id);
  if (!job || (job.status !== 'QUEUED' && job.status !== 'RUNNING')) return { started: false };
  // A schedule's run is delivered (or told it failed) in the transaction that finishes its export.
  const finished = async (tx: Sql) => {
    const done = await getExportById(tx, id);
    if (done) await deliverScheduledExport(tx, done, ctx.clock.now());
  };
  const fail = (message: string) =>
    ctx.step(async (tx) => {
      await failExport(tx, id, message, ctx.clock.now());
      await finished(tx);
      return { started: false };
    });
  const report = findReport(job.report);
  if (!report) return fail(`The report ${job.report} no longer exists.`);
  const parsed = report.filters.safeParse(job.filters);
  if (!parsed.success) return fail(`The filters no longer apply to ${report.title}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const { mediaType, charset } = EXPORT_FORMATS[job.format];
  const started = await ctx.step(async (tx) => ({
    started: await startExport(tx, id, { fileName: exportFileName(job), contentType: charset ? `${mediaType}; charset=${charset}` : mediaType }, ctx.clock.now()),
  }));
  if (!started.started) return started;

  let rowsWritten = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<boolean> => {
    if (pendingBytes === 0) return true;
    const content = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    const at = seq++;
    const kept = await ctx.step(async (tx) => ({ started: await appendExportChunk(tx, id, at, content, rowsWritten) }));
    return kept.started === true;
  };
  try {
    const source = report.rows(ctx, ctx.payload.actor, parsed.data, job.createdAt);
    const counted = (async function* () {
      for (;;) {
        const next = await source.next();
        if (next.done) return;
        rowsWritten += next.value.length;
        yield next.value;
      }
    })();
    const about = aboutLines(job.filters, report.sortedBy?.(parsed.data), `Exported ${pdfDate(job.createdAt)} UTC`);
    const file: Readable = exportStream(job.format, { title: report.title, about, columns: report.columns, rows: counted });
    for await (const part of file) {
      const buffer = Buffer.isBuffer(part) ? part : Buffer.from(part as string);
      pending.push(buffer);
      pendingBytes += buffer.byteLength;
      if (pendingBytes >= EXPORT_CHUNK_BYTES && !(await flush())) {
        // Cancelled: stop writing (and reading the database).
        file.destroy();
        return { started: false };
      }
    }
  } catch (error) {
    // A report refusing the caller (their role changed since they asked) fails the job with its reason; anything else is retried.
    if (error instanceof DomainError && error.status < 500) return fail(error.message);
    throw error;
  }
  if (!(await flush())) return { started: false };
  await ctx.step(async (tx) => {
    await completeExport(tx, id, rowsWritten, ctx.clock.now());
    await finished(tx);
    return { started: true };
  });
  return { started: true };
}

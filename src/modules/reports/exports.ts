/**
 * Report exports: a report with its filters written to a file by the worker, kept for
 * EXPORT_KEEP_DAYS and fetched later (issue 16 item 4). This module owns the jobs and their
 * files (`report_exports`, `report_export_chunks`); what a report is and how its file is
 * written belongs to the report catalog (src/http/reports).
 *
 * A job goes QUEUED → RUNNING → COMPLETED, or FAILED (with the reason), or CANCELLED (by
 * whoever asked, before it completed). An identical request (same account, user, report,
 * format and filters) within SAME_REQUEST_MINUTES returns the job it already made, unless
 * that one failed or was cancelled. An account has at most MAX_RUNNING_EXPORTS jobs queued or
 * running at once.
 */
import { createHash } from 'node:crypto';
import { DomainError, notFound } from '../../core/errors.js';
import type { Db, Sql } from '../../db/types.js';
import type { Actor } from '../accounts/actor.js';

import type { ExportFileFormat, ExportState } from './types.js';

export { EXPORT_STATES, type ExportFileFormat, type ExportState } from './types.js';

export const EXPORT_KEEP_DAYS = 7;
export const SAME_REQUEST_MINUTES = 10;
export const MAX_RUNNING_EXPORTS = 3;
/** Bytes per stored chunk of a file. */
export const EXPORT_CHUNK_BYTES = 1024 * 1024;

export interface ReportExport {
  id: bigint;
  accountId: number | null;
  userId: number | null;
  operatorUserId: number | null;
  report: string;
  format: ExportFileFormat;
  filters: Record<string, unknown>;
  status: ExportState;
  fileName: string | null;
  contentType: string | null;
  rowsWritten: number;
  bytes: number;
  error: string | null;
  workItemId: bigint | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  expiresAt: Date;
}

const COLUMNS = `id::text as id, account_id as "accountId", user_id as "userId", operator_user_id as "operatorUserId", report, format,
  filters, status, file_name as "fileName", content_type as "contentType", rows_written::float8 as "rowsWritten", bytes::float8 as bytes,
  error, work_item_id::text as "workItemId", created_at as "createdAt", started_at as "startedAt", completed_at as "completedAt",
  expires_at as "expiresAt"`;

type StoredExport = Omit<ReportExport, 'id' | 'workItemId'> & { id: string; workItemId: string | null };

function exportOf(row: StoredExport): ReportExport {
  return { ...row, id: BigInt(row.id), workItemId: row.workItemId === null ? null : BigInt(row.workItemId) };
}

/** The filters in one canonical form (keys sorted, empty values left out): the same filters, the same key. */
export function filtersKeyOf(filters: Record<string, unknown>): string {
  const canonical = Object.fromEntries(
    Object.entries(filters)
      .filter(([, value]) => value !== undefined && value !== null && value !== '')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** Whose export it is: an account's user, or an operator. */
function ownerOf(actor: Actor): { accountId: number | null; userId: number | null; operatorUserId: number | null } {
  return actor.type === 'account'
    ? { accountId: actor.accountId, userId: actor.userId, operatorUserId: null }
    : { accountId: null, userId: null, operatorUserId: actor.userId };
}

/** The owner's condition on `report_exports`, with its parameters appended to `params`. */
function ownedBy(actor: Actor, params: unknown[]): string {
  if (actor.type === 'operator') return `operator_user_id = $${params.push(actor.userId)}`;
  return `account_id = $${params.push(actor.accountId)}`;
}

export interface ExportRequest {
  report: string;
  format: ExportFileFormat;
  filters: Record<string, unknown>;
  now: Date;
}

export type RequestedExport = { created: boolean; export: ReportExport };

/**
 * Makes the job, or finds the identical one asked for within SAME_REQUEST_MINUTES, and
 * enqueues its work (through `enqueueWork`) in the same transaction. Two identical requests
 * at once meet at an advisory lock on the request, so the second finds the first's job.
 */
export async function requestExport(
  db: Db,
  actor: Actor,
  request: ExportRequest,
  enqueueWork: (tx: Sql, exportId: bigint) => Promise<bigint>,
): Promise<RequestedExport> {
  return db.transaction((tx) => requestExportInTx(tx, actor, request, enqueueWork));
}

/**
 * requestExport in the caller's transaction. `scheduled`: a schedule's run, which is
 * always a new job (its date range is its own) and not held to the limit of running jobs
 * (the schedule runs whatever a person is doing).
 */
export async function requestExportInTx(
  tx: Sql,
  actor: Actor,
  request: ExportRequest,
  enqueueWork: (tx: Sql, exportId: bigint) => Promise<bigint>,
  options: { scheduled?: boolean } = {},
): Promise<RequestedExport> {
  const owner = ownerOf(actor);
  const filtersKey = filtersKeyOf(request.filters);
  {
    const ownerKey = owner.accountId === null ? `operator:${owner.operatorUserId}` : `account:${owner.accountId}`;
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`report-export:${ownerKey}`]);
    const params: unknown[] = [];
    const mine = ownedBy(actor, params);
    const userCondition = owner.userId === null ? 'user_id is null' : `user_id = $${params.push(owner.userId)}`;
    const same = await tx.query<StoredExport>(
      `select ${COLUMNS} from report_exports
        where ${mine} and ${userCondition} and report = $${params.push(request.report)} and format = $${params.push(request.format)}
          and filters_key = $${params.push(filtersKey)} and status in ('QUEUED', 'RUNNING', 'COMPLETED')
          and created_at > $${params.push(request.now)}::timestamptz - interval '${SAME_REQUEST_MINUTES} minutes'
        order by created_at desc, id desc limit 1`,
      params,
    );
    if (same.rows[0] && !options.scheduled) return { created: false, export: exportOf(same.rows[0]) };
    const runningParams: unknown[] = [];
    const running = await tx.query<{ n: number }>(
      `select count(*)::int as n from report_exports where ${ownedBy(actor, runningParams)} and status in ('QUEUED', 'RUNNING')`,
      runningParams,
    );
    if ((running.rows[0]?.n ?? 0) >= MAX_RUNNING_EXPORTS && !options.scheduled) {
      throw new DomainError(
        'rate-limited',
        `${MAX_RUNNING_EXPORTS} exports of this account are queued or running; wait for one to finish (or cancel one) and ask again.`,
      );
    }
    const { rows } = await tx.query<{ id: string }>(
      `insert into report_exports (account_id, user_id, operator_user_id, report, format, filters, filters_key, status, created_at, expires_at)
       values ($1, $2, $3, $4, $5, $6::jsonb, $7, 'QUEUED', $8, $8::timestamptz + interval '${EXPORT_KEEP_DAYS} days')
       returning id::text as id`,
      [owner.accountId, owner.userId, owner.operatorUserId, request.report, request.format, JSON.stringify(request.filters), filtersKey, request.now],
    );
    const id = BigInt(rows[0]!.id);
    const workItemId = await enqueueWork(tx, id);
    await tx.query('update report_exports set work_item_id = $2 where id = $1', [id.toString(), workItemId.toString()]);
    return { created: true, export: (await getExportById(tx, id))! };
  }
}

export async function getExportById(sql: Sql, id: bigint): Promise<ReportExport | null> {
  const { rows } = await sql.query<StoredExport>(`select ${COLUMNS} from report_exports where id = $1`, [id.toString()]);
  return rows[0] ? exportOf(rows[0]) : null;
}

/** The caller's own export of this report; another account's (or an expired one's file) is not found. */
export async function getExportOrThrow(sql: Sql, actor: Actor, report: string | null, id: bigint): Promise<ReportExport> {
  const params: unknown[] = [id.toString()];
  const mine = ownedBy(actor, params);
  const reportCondition = report === null ? '' : ` and report = $${params.push(report)}`;
  const { rows } = await sql.query<StoredExport>(`select ${COLUMNS} from report_exports where id = $1 and ${mine}${reportCondition}`, params);
  if (!rows[0]) throw notFound(`Export ${id} was not found${report ? ` for the report ${report}` : ''}.`);
  return exportOf(rows[0]);
}

export interface ExportListFilter {
  report?: string;
  status?: ExportState;
  page: number;
  pageSize: number;
}

export async function listExports(sql: Sql, actor: Actor, filter: ExportListFilter): Promise<{ items: ReportExport[]; total: number; page: number; pageSize: number }> {
  const params: unknown[] = [];
  const where = [ownedBy(actor, params)];
  if (filter.report) where.push(`report = $${params.push(filter.report)}`);
  if (filter.status) where.push(`status = $${params.push(filter.status)}`);
  const total = await sql.query<{ n: number }>(`select count(*)::int as n from report_exports where ${where.join(' and ')}`, params);
  const { rows } = await sql.query<StoredExport>(
    `select ${COLUMNS} from report_exports where ${where.join(' and ')} order by created_at desc, id desc
      limit ${filter.pageSize} offset ${(filter.page - 1) * filter.pageSize}`,
    params,
  );
  return { items: rows.map(exportOf), total: total.rows[0]?.n ?? 0, page: filter.page, pageSize: filter.pageSize };
}

/** Cancels a job not yet finished; a finished one is left as it is (and says so). */
export async function cancelExport(db: Db, actor: Actor, report: string, id: bigint, now: Date): Promise<ReportExport> {
  return db.transaction(async (tx) => {
    const job = await getExportOrThrow(tx, actor, report, id);
    if (job.status === 'COMPLETED' || job.status === 'FAILED') {
      throw new DomainError('conflict', `Export ${id} is already ${job.status}; only a queued or running export can be cancelled.`);
    }
    if (job.status === 'CANCELLED') return job;
    await tx.query(`update report_exports set status = 'CANCELLED', completed_at = $2 where id = $1 and status in ('QUEUED', 'RUNNING')`, [id.toString(), now]);
    await tx.query('delete from report_export_chunks where export_id = $1', [id.toString()]);
    return (await getExportById(tx, id))!;
  });
}

/**
 * The worker starts writing the file: the job is RUNNING and whatever an earlier attempt
 * wrote is gone (an attempt writes the whole file; a resumed one starts it again). False
 * when the job is no longer to be written (cancelled, or finished by an earlier attempt).
 */
export async function startExport(tx: Sql, id: bigint, file: { fileName: string; contentType: string }, now: Date): Promise<boolean> {
  const { rowCount } = await tx.query(
    `update report_exports set status = 'RUNNING', started_at = $2, file_name = $3, content_type = $4, rows_written = 0, bytes = 0, error = null
      where id = $1 and status in ('QUEUED', 'RUNNING')`,
    [id.toString(), now, file.fileName, file.contentType],
  );
  if (!rowCount) return false;
  await tx.query('delete from report_export_chunks where export_id = $1', [id.toString()]);
  return true;
}

/** One more chunk of the file; false when the job was cancelled meanwhile (the writer stops). */
export async function appendExportChunk(tx: Sql, id: bigint, seq: number, content: Buffer, rowsWritten: number): Promise<boolean> {
  const { rowCount } = await tx.query(
    `update report_exports set bytes = bytes + $2, rows_written = $3 where id = $1 and status = 'RUNNING'`,
    [id.toString(), content.byteLength, rowsWritten],
  );
  if (!rowCount) return false;
  await tx.query('insert into report_export_chunks (export_id, seq, content) values ($1, $2, $3)', [id.toString(), seq, content]);
  return true;
}

export async function completeExport(tx: Sql, id: bigint, rowsWritten: number, now: Date): Promise<void> {
  await tx.query(`update report_exports set status = 'COMPLETED', rows_written = $2, completed_at = $3 where id = $1 and status = 'RUNNING'`, [
    id.toString(),
    rowsWritten,
    now,
  ]);
}

/** The export cannot be written (its filters no longer make sense, its owner lost access): why, in words. */
export async function failExport(tx: Sql, id: bigint, error: string, now: Date): Promise<void> {
  await tx.query(`update report_exports set status = 'FAILED', error = $2, completed_at = $3 where id = $1 and status in ('QUEUED', 'RUNNING')`, [
    id.toString(),
    error.slice(0, 2000),
    now,
  ]);
  await tx.query('delete from report_export_chunks where export_id = $1', [id.toString()]);
}

/** The file, a chunk at a time. */
export async function* readExportContent(sql: Sql, id: bigint): AsyncGenerator<Buffer> {
  let seq = 0;
  for (;;) {
    const { rows } = await sql.query<{ seq: number; content: Uint8Array }>(
      'select seq, content from report_export_chunks where export_id = $1 and seq >= $2 order by seq limit 4',
      [id.toString(), seq],
    );
    for (const row of rows) yield Buffer.from(row.content);
    if (rows.length < 4) return;
    seq = rows[rows.length - 1]!.seq + 1;
  }
}

/** Deletes the jobs (and files) past their expiry; how many. */
export async function pruneExpiredExports(db: Db, now: Date, limit = 500): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `select id::text as id from report_exports where expires_at <= $1 order by expires_at limit ${limit} for update skip locked`,
      [now],
    );
    if (rows.length === 0) return 0;
    const ids = rows.map((r) => r.id);
    await tx.query('delete from report_export_chunks where export_id = any($1::bigint[])', [ids]);
    await tx.query('delete from report_exports where id = any($1::bigint[])', [ids]);
    return ids.length;
  });
}

/**
 * Erasure (account closure): the exports the account asked for, and those of the brands it
 * had contracts with (their files may name it), are deleted with their files: a file made
 * before the closure would otherwise keep the partner's name for up to EXPORT_KEEP_DAYS.
 */
export async function deleteExportsNamingAccount(tx: Sql, accountId: number): Promise<number> {
  const { rows } = await tx.query<{ id: string }>(
    `select id::text as id from report_exports
      where account_id = $1 or account_id in (select brand_account_id from contracts where partner_account_id = $1)`,
    [accountId],
  );
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => r.id);
  await tx.query('delete from report_export_chunks where export_id = any($1::bigint[])', [ids]);
  await tx.query('delete from report_exports where id = any($1::bigint[])', [ids]);
  return ids.length;
}

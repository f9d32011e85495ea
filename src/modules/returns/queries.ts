import { forbidden, notFound } from '../../core/errors.js';
import { pageOffset, sortClause, type Page, type PageRequest } from '../../core/paging.js';
import type { Sql } from '../../db/types.js';
import type { AccountActor, Actor } from '../accounts/actor.js';
import { RETURNS_OUTCOMES, type ReturnsChannel, type ReturnsFormat, type ReturnsOutcome } from './types.js';

export { BATCH_STATUSES, type BatchStatus } from './types.js';
import type { BatchStatus } from './types.js';
export type BatchFormat = ReturnsFormat | 'IMPACT_API';

export type OutcomeCounts = Record<ReturnsOutcome, number>;

export function zeroCounts(): OutcomeCounts {
  return Object.fromEntries(RETURNS_OUTCOMES.map((outcome) => [outcome, 0])) as OutcomeCounts;
}

export interface BatchRow {
  id: bigint;
  brandAccountId: number;
  programId: number;
  programName: string;
  currency: string;
  eventTypeId: number;
  eventTypeName: string;
  channel: ReturnsChannel;
  fileName: string;
  contentType: string | null;
  format: BatchFormat | null;
  contentHash: string;
  bytes: number;
  status: BatchStatus;
  rowsDone: number;
  rowsTotal: number | null;
  counts: OutcomeCounts;
  columns: string[] | null;
  error: string | null;
  submissionId: string | null;
  submissionType: 'Modification' | 'Reversal' | null;
  uploadedByUserId: number | null;
  workItemId: bigint | null;
  receivedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

const BATCH_COLUMNS = `b.id::text as id, b.brand_account_id as "brandAccountId", b.program_id as "programId", p.name as "programName",
  p.currency, b.event_type_id as "eventTypeId", et.name as "eventTypeName", b.channel, b.file_name as "fileName",
  b.content_type as "contentType", b.format, b.content_hash as "contentHash", b.bytes::float8 as bytes, b.status,
  b.rows_done as "rowsDone", b.rows_total as "rowsTotal", b.counts, b.columns, b.error, b.submission_id::text as "submissionId",
  b.submission_type as "submissionType", b.uploaded_by_user_id as "uploadedByUserId", b.work_item_id::text as "workItemId",
  b.received_at as "receivedAt", b.started_at as "startedAt", b.completed_at as "completedAt"`;

const BATCH_FROM = `returns_batches b join programs p on p.id = b.program_id join event_types et on et.id = b.event_type_id`;

type StoredBatch = Omit<BatchRow, 'id' | 'workItemId'> & { id: string; workItemId: string | null };

function batchOf(row: StoredBatch): BatchRow {
  return { ...row, id: BigInt(row.id), workItemId: row.workItemId === null ? null : BigInt(row.workItemId), counts: { ...zeroCounts(), ...row.counts } };
}

/** The brand's account a batch request acts for: brands only (partners and operators do not send returns). */
export function brandAccountOf(actor: Actor): number {
  if (actor.type !== 'account' || actor.accountKind !== 'BRAND') {
    throw forbidden("Returns batches are a brand's: its users send and read them for the event types of its programs.");
  }
  return actor.accountId;
}

/** A batch by id, for the caller's brand; any other's is not found (its existence is not revealed). */
export async function getBatchOrThrow(sql: Sql, actor: Actor, batchId: bigint | string): Promise<BatchRow> {
  const brand = brandAccountOf(actor);
  const batch = await getBatchById(sql, BigInt(batchId));
  if (!batch || batch.brandAccountId !== brand) throw notFound(`Returns batch ${batchId} does not exist or is not visible to this account.`);
  return batch;
}

/** A batch by id, whoever's (the worker's read). */
export async function getBatchById(sql: Sql, batchId: bigint): Promise<BatchRow | undefined> {
  const { rows } = await sql.query<StoredBatch>(`select ${BATCH_COLUMNS} from ${BATCH_FROM} where b.id = $1`, [batchId.toString()]);
  return rows[0] && batchOf(rows[0]);
}

/** An impact-compatible API submission (`A-<uuid>`), for the caller's brand. */
export async function getSubmissionOrThrow(sql: Sql, brandAccountId: number, submissionId: string): Promise<BatchRow> {
  const { rows } = await sql.query<StoredBatch>(`select ${BATCH_COLUMNS} from ${BATCH_FROM} where b.submission_id = $1::uuid and b.brand_account_id = $2`, [
    submissionId,
    brandAccountId,
  ]);
  if (!rows[0]) throw notFound(`API submission A-${submissionId} does not exist or is not visible to this account.`);
  return batchOf(rows[0]);
}

/** The first batch of these bytes for the event type (a file sent again). */
export async function findBatchByHash(sql: Sql, eventTypeId: number, contentHash: string): Promise<BatchRow | undefined> {
  const { rows } = await sql.query<StoredBatch>(
    `select ${BATCH_COLUMNS} from ${BATCH_FROM} where b.event_type_id = $1 and b.content_hash = $2 and b.channel <> 'IMPACT_API'`,
    [eventTypeId, contentHash],
  );
  return rows[0] && batchOf(rows[0]);
}

export const BATCH_SORTS = { ReceivedDate: 'b.received_at, b.id', FileName: 'b.file_name, b.id', Status: 'b.status, b.id' } as const;

export interface BatchFilter extends PageRequest {
  eventTypeId?: number;
  status?: BatchStatus;
  sort?: keyof typeof BATCH_SORTS;
  order?: 'asc' | 'desc';
}

export async function listBatches(sql: Sql, actor: Actor, filter: BatchFilter): Promise<Page<BatchRow>> {
  const brand = brandAccountOf(actor);
  const params: unknown[] = [brand];
  const where = ['b.brand_account_id = $1'];
  if (filter.eventTypeId !== undefined) where.push(`b.event_type_id = $${params.push(filter.eventTypeId)}`);
  if (filter.status !== undefined) where.push(`b.status = $${params.push(filter.status)}`);
  const order = sortClause(filter.sort, filter.order, BATCH_SORTS, 'ReceivedDate');
  const { rows } = await sql.query<StoredBatch & { total: number }>(
    `select ${BATCH_COLUMNS}, count(*) over ()::int as total from ${BATCH_FROM}
      where ${where.join(' and ')} order by ${order} limit $${params.push(filter.pageSize)} offset $${params.push(pageOffset(filter))}`,
    params,
  );
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && filter.page > 1) {
    const counted = await sql.query<{ n: number }>(`select count(*)::int as n from returns_batches b where ${where.join(' and ')}`, params.slice(0, -2));
    total = counted.rows[0]!.n;
  }
  return { items: rows.map(({ total: _total, ...row }) => batchOf(row)), page: filter.page, pageSize: filter.pageSize, total };
}

export interface BatchRowOutcome {
  rowNumber: number;
  outcome: ReturnsOutcome;
  actionId: string | null;
  message: string | null;
  cells: Array<[string, string]>;
}

type StoredOutcome = Omit<BatchRowOutcome, 'cells'> & { cells: string };

function outcomeOf(row: StoredOutcome): BatchRowOutcome {
  return { ...row, cells: JSON.parse(row.cells) as Array<[string, string]> };
}

export async function listBatchRows(sql: Sql, batchId: bigint, filter: PageRequest & { outcome?: ReturnsOutcome }): Promise<Page<BatchRowOutcome>> {
  const params: unknown[] = [batchId.toString()];
  const where = ['batch_id = $1'];
  if (filter.outcome) where.push(`outcome = $${params.push(filter.outcome)}`);
  const [page, count] = [
    await sql.query<StoredOutcome>(
      `select row_number as "rowNumber", outcome, action_id::text as "actionId", message, cells from returns_batch_rows
        where ${where.join(' and ')} order by row_number limit $${params.push(filter.pageSize)} offset $${params.push(pageOffset(filter))}`,
      params,
    ),
    await sql.query<{ n: number }>(`select count(*)::int as n from returns_batch_rows where ${where.join(' and ')}`, params.slice(0, -2)),
  ];
  return { items: page.rows.map(outcomeOf), page: filter.page, pageSize: filter.pageSize, total: count.rows[0]!.n };
}

/** Every row's outcome in row order, read a page at a time (the result file; never the whole batch in memory). */
export async function* streamBatchRows(sql: Sql, batchId: bigint, pageRows = 5000): AsyncGenerator<BatchRowOutcome> {
  let after = 0;
  for (;;) {
    const { rows } = await sql.query<StoredOutcome>(
      `select row_number as "rowNumber", outcome, action_id::text as "actionId", message, cells from returns_batch_rows
        where batch_id = $1 and row_number > $2 order by row_number limit $3`,
      [batchId.toString(), after, pageRows],
    );
    for (const row of rows) yield outcomeOf(row);
    if (rows.length < pageRows) return;
    after = rows[rows.length - 1]!.rowNumber;
  }
}

/** The bytes of a batch as received, chunk by chunk. */
export async function* readBatchContent(sql: Sql, batchId: bigint): AsyncGenerator<Buffer> {
  let seq = 0;
  for (;;) {
    const { rows } = await sql.query<{ seq: number; content: Uint8Array }>(
      'select seq, content from returns_batch_content where batch_id = $1 and seq >= $2 order by seq limit 4',
      [batchId.toString(), seq],
    );
    for (const row of rows) yield Buffer.from(row.content);
    if (rows.length < 4) return;
    seq = rows[rows.length - 1]!.seq + 1;
  }
}

/** An event type of one of the brand's programs, with what a batch for it needs; another brand's is not found. */
export interface BatchEventType {
  id: number;
  name: string;
  kind: string;
  programId: number;
  programName: string;
  currency: string;
  brandAccountId: number;
}

export async function getBatchEventTypeOrThrow(sql: Sql, brandAccountId: number, eventTypeId: number): Promise<BatchEventType> {
  const { rows } = await sql.query<BatchEventType>(
    `select et.id, et.name, et.kind, p.id as "programId", p.name as "programName", p.currency, p.brand_account_id as "brandAccountId"
       from event_types et join programs p on p.id = et.program_id
      where et.id = $1 and p.brand_account_id = $2`,
    [eventTypeId, brandAccountId],
  );
  if (!rows[0]) throw notFound(`Event type ${eventTypeId} does not exist or is not visible to this account.`);
  return rows[0];
}

/** The event type of one of the brand's actions (an API submission that names its action by id); undefined for any other. */
export async function eventTypeOfBrandAction(sql: Sql, brandAccountId: number, actionId: bigint): Promise<number | undefined> {
  const { rows } = await sql.query<{ eventTypeId: number }>('select event_type_id as "eventTypeId" from actions where id = $1 and brand_account_id = $2', [
    actionId.toString(),
    brandAccountId,
  ]);
  return rows[0]?.eventTypeId;
}

/**
 * The brand user a command-line import acts as: the given e-mail's membership of the event
 * type's brand, or (none given) the brand's first admin. The changes are recorded in their name.
 */
export async function importActorOrThrow(sql: Sql, eventTypeId: number, email: string | undefined): Promise<AccountActor> {
  const { rows } = await sql.query<{ userId: number; accountId: number; timeZone: string; role: 'ADMIN' | 'USER' }>(
    `select u.id as "userId", a.id as "accountId", a.time_zone as "timeZone", m.role
       from event_types et join programs p on p.id = et.program_id join accounts a on a.id = p.brand_account_id
       join memberships m on m.account_id = a.id join users u on u.id = m.user_id
      where et.id = $1 and a.status = 'ACTIVE' and u.disabled_at is null and ($2::text is null or lower(u.email) = lower($2))
        and ($2::text is not null or m.role = 'ADMIN')
      order by m.user_id limit 1`,
    [eventTypeId, email ?? null],
  );
  const row = rows[0];
  if (!row) {
    throw notFound(
      email
        ? `${email} is not a user of the brand of event type ${eventTypeId} (or there is no such event type).`
        : `Event type ${eventTypeId} does not exist, or its brand has no active admin to act as; name a user with --user.`,
    );
  }
  return { type: 'account', userId: row.userId, accountId: row.accountId, accountKind: 'BRAND', accountTimeZone: row.timeZone, role: row.role, via: 'token' };
}

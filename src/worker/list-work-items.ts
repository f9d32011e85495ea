import { pageOffset, type Page } from '../core/paging.js';
import type { Sql } from '../db/types.js';
import type { WorkItemState } from './states.js';

/** A work item as the operator console shows it. */
export interface WorkItemView {
  id: bigint;
  kind: string;
  state: WorkItemState;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  progress: unknown;
  /** The payload's JSON, cut to PAYLOAD_SUMMARY_LENGTH characters (… when cut). */
  payloadSummary: string;
  dedupeKey: string | null;
  runAfter: Date;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export const PAYLOAD_SUMMARY_LENGTH = 200;

export interface WorkItemFilter {
  states: readonly WorkItemState[];
  kind?: string;
  page: number;
  pageSize: number;
}

const COLUMNS = `id, kind, state, attempts, max_attempts as "maxAttempts", last_error as "lastError", progress,
  case when length(payload::text) > ${PAYLOAD_SUMMARY_LENGTH} then left(payload::text, ${PAYLOAD_SUMMARY_LENGTH - 1}) || '…' else payload::text end as "payloadSummary",
  dedupe_key as "dedupeKey", run_after as "runAfter", lease_owner as "leaseOwner", lease_expires_at as "leaseExpiresAt",
  created_at as "createdAt", updated_at as "updatedAt", started_at as "startedAt", finished_at as "finishedAt"`;

function viewOf(row: WorkItemView): WorkItemView {
  return { ...row, id: BigInt(row.id), progress: row.progress ?? null };
}

/** Work items in the given states (and kind), oldest first, a page at a time. */
export async function listWorkItems(db: Sql, filter: WorkItemFilter): Promise<Page<WorkItemView>> {
  const params: unknown[] = [filter.states];
  let where = 'state = any($1::text[])';
  if (filter.kind) {
    params.push(filter.kind);
    where += ` and kind = $${params.length}`;
  }
  const { rows } = await db.query<WorkItemView>(
    `select ${COLUMNS} from work_items where ${where} order by created_at, id limit $${params.length + 1} offset $${params.length + 2}`,
    [...params, filter.pageSize, pageOffset(filter)],
  );
  const count = await db.query<{ n: number }>(`select count(*)::int as n from work_items where ${where}`, params);
  return { items: rows.map(viewOf), page: filter.page, pageSize: filter.pageSize, total: count.rows[0]!.n };
}

export async function findWorkItem(db: Sql, id: bigint): Promise<WorkItemView | undefined> {
  const { rows } = await db.query<WorkItemView>(`select ${COLUMNS} from work_items where id = $1`, [id.toString()]);
  return rows[0] ? viewOf(rows[0]) : undefined;
}

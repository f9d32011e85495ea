import { notFound } from '../../core/errors.js';
import type { Page } from '../../core/paging.js';
import type { Sql } from '../../db/types.js';
import type { Actor } from '../accounts/actor.js';
import type {
  PaymentMethod,
  PaystubKind,
  PaystubStatus,
  PayoutFileFormat,
  PayoutHoldReason,
  PayoutRunKind,
  PayoutRunStatus,
  WithdrawalMethod,
} from './types.js';

export interface PaystubRow {
  id: bigint;
  partnerAccountId: number;
  partnerName: string;
  runId: number;
  currency: string;
  kind: PaystubKind;
  method: WithdrawalMethod;
  paymentMethod: PaymentMethod;
  destinationMasked: string;
  grossMinor: bigint;
  feeMinor: bigint;
  netMinor: bigint;
  actionCount: number;
  status: PaystubStatus;
  createdAt: Date;
  sentAt: Date | null;
  failedAt: Date | null;
  failureReason: string | null;
  fileId: number | null;
}

const PAYSTUB_COLUMNS = `ps.id, ps.partner_account_id as "partnerAccountId", pa.name as "partnerName", ps.run_id as "runId", ps.currency,
  ps.kind, ps.method, ps.payment_method as "paymentMethod", ps.destination_masked as "destinationMasked", ps.gross_minor as "grossMinor",
  ps.fee_minor as "feeMinor", ps.net_minor as "netMinor", ps.action_count as "actionCount", ps.status, ps.created_at as "createdAt",
  ps.sent_at as "sentAt", ps.failed_at as "failedAt", ps.failure_reason as "failureReason", ps.file_id as "fileId"`;
const PAYSTUB_FROM = 'from paystubs ps join accounts pa on pa.id = ps.partner_account_id';

/** Paystubs by id as they are now (the outbox's paystub events, src/http/event-payloads.ts). */
export async function loadPaystubRows(sql: Sql, ids: readonly string[]): Promise<PaystubRow[]> {
  const { rows } = await sql.query<PaystubRow>(`select ${PAYSTUB_COLUMNS} ${PAYSTUB_FROM} where ps.id = any($1::bigint[]) order by ps.id`, [ids]);
  return rows;
}

/** A partner sees its own paystubs, an operator everyone's, a brand none. */
function paystubScope(actor: Actor, params: unknown[]): string {
  if (actor.type === 'operator') return 'true';
  if (actor.accountKind !== 'PARTNER') return 'false';
  params.push(actor.accountId);
  return `ps.partner_account_id = $${params.length}`;
}

export interface PaystubFilter {
  page: number;
  pageSize: number;
  status?: PaystubStatus;
  currency?: string;
  runId?: number;
  sort?: 'CreatedDate' | 'Gross' | 'Net';
  order?: 'asc' | 'desc';
}

const PAYSTUB_SORTS: Record<NonNullable<PaystubFilter['sort']>, string> = {
  CreatedDate: 'ps.created_at',
  Gross: 'ps.gross_minor',
  Net: 'ps.net_minor',
};

export async function listPaystubs(sql: Sql, actor: Actor, filter: PaystubFilter): Promise<Page<PaystubRow>> {
  const params: unknown[] = [];
  const where = [paystubScope(actor, params)];
  const add = (clause: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(clause(params.length));
  };
  if (filter.status) add((n) => `ps.status = $${n}`, filter.status);
  if (filter.currency) add((n) => `ps.currency = $${n}`, filter.currency);
  if (filter.runId) add((n) => `ps.run_id = $${n}`, filter.runId);
  const direction = filter.order === 'asc' ? 'asc' : 'desc';
  const { rows: count } = await sql.query<{ n: number }>(`select count(*)::int as n from paystubs ps where ${where.join(' and ')}`, params);
  params.push(filter.pageSize, (filter.page - 1) * filter.pageSize);
  const { rows } = await sql.query<PaystubRow>(
    `select ${PAYSTUB_COLUMNS} ${PAYSTUB_FROM} where ${where.join(' and ')}
      order by ${PAYSTUB_SORTS[filter.sort ?? 'CreatedDate']} ${direction}, ps.id ${direction}
      limit $${params.length - 1} offset $${params.length}`,
    params,
  );
  return { items: rows, page: filter.page, pageSize: filter.pageSize, total: count[0]!.n };
}

export async function getPaystubOrThrow(sql: Sql, actor: Actor, paystubId: bigint): Promise<PaystubRow> {
  const params: unknown[] = [paystubId.toString()];
  const { rows } = await sql.query<PaystubRow>(`select ${PAYSTUB_COLUMNS} ${PAYSTUB_FROM} where ps.id = $1 and ${paystubScope(actor, params)}`, params);
  if (!rows[0]) throw notFound(`Paystub ${paystubId} does not exist, or it is not one of your account's.`);
  return rows[0];
}

export interface PaystubActionRow {
  paystubId: bigint;
  actionId: bigint;
  programId: number;
  programName: string;
  eventTypeId: number;
  eventTypeName: string;
  orderId: string | null;
  amountMinor: bigint;
  payoutMinor: bigint;
  currency: string;
  eventAt: Date;
  lockingAt: Date;
}

const ACTION_COLUMNS = `a.paystub_id as "paystubId", a.id as "actionId", a.program_id as "programId", p.name as "programName",
  a.event_type_id as "eventTypeId", et.name as "eventTypeName", a.order_id as "orderId", a.amount_minor as "amountMinor",
  a.payout_minor as "payoutMinor", a.currency, a.event_at as "eventAt", a.locking_at as "lockingAt"`;
const ACTION_FROM = 'from actions a join programs p on p.id = a.program_id join event_types et on et.id = a.event_type_id';

/** The actions a paystub pays (the paystub's action listing), in id order. */
export async function listPaystubActions(sql: Sql, paystubId: bigint, page: { page: number; pageSize: number }): Promise<Page<PaystubActionRow>> {
  const { rows: count } = await sql.query<{ n: number }>('select count(*)::int as n from actions where paystub_id = $1', [paystubId.toString()]);
  const { rows } = await sql.query<PaystubActionRow>(
    `select ${ACTION_COLUMNS} ${ACTION_FROM} where a.paystub_id = $1 order by a.id limit $2 offset $3`,
    [paystubId.toString(), page.pageSize, (page.page - 1) * page.pageSize],
  );
  return { items: rows, page: page.page, pageSize: page.pageSize, total: count[0]!.n };
}

/** Every action of a paystub, 2,000 at a time by id, for a download. */
export async function* exportPaystubActions(sql: Sql, paystubId: bigint): AsyncGenerator<PaystubActionRow[]> {
  let after = 0n;
  for (;;) {
    const { rows } = await sql.query<PaystubActionRow>(
      `select ${ACTION_COLUMNS} ${ACTION_FROM} where a.paystub_id = $1 and a.id > $2 order by a.id limit 2000`,
      [paystubId.toString(), after.toString()],
    );
    if (rows.length > 0) yield rows;
    if (rows.length < 2000) return;
    after = BigInt(rows[rows.length - 1]!.actionId);
  }
}

export interface PayoutRunRow {
  id: number;
  kind: PayoutRunKind;
  status: PayoutRunStatus;
  runOn: string;
  executionDate: string;
  startedAt: Date;
  paystubCount: number;
  heldCount: number;
  filesReadyAt: Date | null;
  sentAt: Date | null;
  workItemId: bigint | null;
  totals: Array<{ currency: string; paystubs: number; grossMinor: bigint; feeMinor: bigint; netMinor: bigint }>;
}

const RUN_COLUMNS = `r.id, r.kind, r.status, r.run_on::text as "runOn", r.execution_date::text as "executionDate", r.started_at as "startedAt",
  r.paystub_count as "paystubCount", r.held_count as "heldCount", r.files_ready_at as "filesReadyAt", r.sent_at as "sentAt",
  r.work_item_id as "workItemId"`;

async function withTotals(sql: Sql, runs: Array<Omit<PayoutRunRow, 'totals'>>): Promise<PayoutRunRow[]> {
  if (runs.length === 0) return [];
  const { rows } = await sql.query<{ runId: number; currency: string; paystubs: number; grossMinor: bigint; feeMinor: bigint; netMinor: bigint }>(
    `select run_id as "runId", currency, count(*)::int as paystubs, sum(gross_minor)::bigint as "grossMinor", sum(fee_minor)::bigint as "feeMinor",
            sum(net_minor)::bigint as "netMinor"
       from paystubs where run_id = any($1::int[]) group by run_id, currency order by run_id, currency`,
    [runs.map((run) => run.id)],
  );
  return runs.map((run) => ({ ...run, totals: rows.filter((row) => row.runId === run.id) }));
}

export async function listPayoutRuns(sql: Sql, filter: { page: number; pageSize: number; status?: PayoutRunStatus }): Promise<Page<PayoutRunRow>> {
  const params: unknown[] = [];
  let where = 'true';
  if (filter.status) {
    params.push(filter.status);
    where = 'r.status = $1';
  }
  const { rows: count } = await sql.query<{ n: number }>(`select count(*)::int as n from payout_runs r where ${where}`, params);
  params.push(filter.pageSize, (filter.page - 1) * filter.pageSize);
  const { rows } = await sql.query<Omit<PayoutRunRow, 'totals'>>(
    `select ${RUN_COLUMNS} from payout_runs r where ${where} order by r.started_at desc, r.id desc limit $${params.length - 1} offset $${params.length}`,
    params,
  );
  return { items: await withTotals(sql, rows), page: filter.page, pageSize: filter.pageSize, total: count[0]!.n };
}

export async function getPayoutRunOrThrow(sql: Sql, runId: number): Promise<PayoutRunRow> {
  const { rows } = await sql.query<Omit<PayoutRunRow, 'totals'>>(`select ${RUN_COLUMNS} from payout_runs r where r.id = $1`, [runId]);
  if (!rows[0]) throw notFound(`Payout run ${runId} does not exist.`);
  return (await withTotals(sql, rows))[0]!;
}

export interface PayoutFileRow {
  id: number;
  runId: number;
  format: PayoutFileFormat;
  currency: string;
  part: number;
  fileName: string;
  mediaType: string;
  payments: number;
  totalMinor: bigint;
  bytes: number;
  sha256: string;
  createdAt: Date;
}

const FILE_COLUMNS = `id, run_id as "runId", format, currency, part, file_name as "fileName", media_type as "mediaType", payments,
  total_minor as "totalMinor", bytes::int as bytes, sha256, created_at as "createdAt"`;

export async function listPayoutFiles(sql: Sql, runId: number): Promise<PayoutFileRow[]> {
  const { rows } = await sql.query<PayoutFileRow>(`select ${FILE_COLUMNS} from payout_files where run_id = $1 order by format, currency, part`, [runId]);
  return rows;
}

export async function getPayoutFileOrThrow(sql: Sql, runId: number, fileId: number): Promise<PayoutFileRow> {
  const { rows } = await sql.query<PayoutFileRow>(`select ${FILE_COLUMNS} from payout_files where run_id = $1 and id = $2`, [runId, fileId]);
  if (!rows[0]) throw notFound(`Payout run ${runId} has no file ${fileId}.`);
  return rows[0];
}

export interface RunHoldRow {
  partnerAccountId: number;
  partnerName: string;
  currency: string;
  availableMinor: bigint;
  reason: PayoutHoldReason;
}

export async function listRunHolds(sql: Sql, runId: number, limit = 500): Promise<RunHoldRow[]> {
  const { rows } = await sql.query<RunHoldRow>(
    `select h.partner_account_id as "partnerAccountId", pa.name as "partnerName", h.currency, h.available_minor as "availableMinor", h.reason
       from payout_run_holds h join accounts pa on pa.id = h.partner_account_id
      where h.run_id = $1 order by h.partner_account_id, h.currency limit $2`,
    [runId, limit],
  );
  return rows;
}

export interface ForfeitRow {
  id: number;
  partnerAccountId: number;
  currency: string;
  amountMinor: bigint;
  actionCount: number;
  reason: string;
  forfeitedByUserId: number;
  forfeitedAt: Date;
}

export const FORFEIT_COLUMNS = `id, partner_account_id as "partnerAccountId", currency, amount_minor as "amountMinor", action_count as "actionCount",
  reason, forfeited_by_user_id as "forfeitedByUserId", forfeited_at as "forfeitedAt"`;

/** For the reconciliation: paystubs whose gross differs from their net + fee or from their actions' payouts plus their corrections. */
export async function paystubsOutOfBalance(sql: Sql, limit = 20): Promise<Array<{ id: bigint; grossMinor: bigint; feeMinor: bigint; netMinor: bigint; actionsMinor: bigint; status: PaystubStatus }>> {
  const { rows } = await sql.query<{ id: bigint; grossMinor: bigint; feeMinor: bigint; netMinor: bigint; actionsMinor: bigint; status: PaystubStatus }>(
    `select ps.id, ps.gross_minor as "grossMinor", ps.fee_minor as "feeMinor", ps.net_minor as "netMinor", ps.status,
            (coalesce(a.payout, 0) + coalesce(c.amount, 0))::bigint as "actionsMinor"
       from paystubs ps
       left join (select paystub_id, sum(payout_minor) as payout from actions where paystub_id is not null group by paystub_id) a on a.paystub_id = ps.id
       left join (select paystub_id, sum(amount_minor) as amount from action_corrections where paystub_id is not null group by paystub_id) c on c.paystub_id = ps.id
      where ps.gross_minor <> ps.fee_minor + ps.net_minor
         or (ps.status <> 'FAILED' and ps.gross_minor <> coalesce(a.payout, 0) + coalesce(c.amount, 0))
         or (ps.status = 'FAILED' and (a.payout is not null or c.amount is not null))
      order by ps.id limit $1`,
    [limit],
  );
  return rows;
}

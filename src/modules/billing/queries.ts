import { notFound } from '../../core/errors.js';
import type { Page } from '../../core/paging.js';
import type { Sql } from '../../db/types.js';
import type { Actor } from '../accounts/actor.js';
import type { PaymentSource, StatementStatus } from './types.js';

/** A statement's status now: PAID in full; past its due date and not, OVERDUE; else PARTIALLY_PAID or OPEN. */
export const STATUS_SQL = (now: string) => `case
  when s.paid_minor >= s.total_minor then 'PAID'
  when s.due_at < ${now} then 'OVERDUE'
  when s.paid_minor > 0 then 'PARTIALLY_PAID'
  else 'OPEN' end`;

export interface StatementRow {
  id: number;
  number: string;
  brandAccountId: number;
  brandName: string;
  programId: number;
  programName: string;
  currency: string;
  periodStart: string;
  periodEnd: string;
  dueAt: Date;
  dueOn: string;
  issuedAt: Date;
  lineCount: number;
  correctionCount: number;
  totalMinor: bigint;
  paidMinor: bigint;
  paidAt: Date | null;
  clearedAt: Date | null;
  status: StatementStatus;
}

const COLUMNS = (now: string) => `s.id, s.number, s.brand_account_id as "brandAccountId", b.name as "brandName", s.program_id as "programId",
  p.name as "programName", s.currency, s.period_start::text as "periodStart", s.period_end::text as "periodEnd", s.due_at as "dueAt",
  s.due_on::text as "dueOn", s.issued_at as "issuedAt", s.line_count as "lineCount", s.correction_count as "correctionCount", s.total_minor as "totalMinor",
  s.paid_minor as "paidMinor", s.paid_at as "paidAt", s.cleared_at as "clearedAt", ${STATUS_SQL(now)} as status`;

const FROM = `from statements s join accounts b on b.id = s.brand_account_id join programs p on p.id = s.program_id`;

/** Statements by id as they are now (the outbox's statement events, src/http/event-payloads.ts). */
export async function loadStatementRows(sql: Sql, ids: readonly number[], now: Date): Promise<StatementRow[]> {
  const { rows } = await sql.query<StatementRow>(`select ${COLUMNS('$2::timestamptz')} ${FROM} where s.id = any($1::int[]) order by s.id`, [ids, now]);
  return rows;
}

/** Whose statements the actor sees: a brand its own; an operator every brand's; a partner none (a partner sees its payouts, not the brand's bills). */
function scope(actor: Actor, params: unknown[]): string {
  if (actor.type === 'operator') return 'true';
  if (actor.accountKind !== 'BRAND') return 'false';
  params.push(actor.accountId);
  return `s.brand_account_id = $${params.length}`;
}

export interface StatementFilter {
  page: number;
  pageSize: number;
  status?: StatementStatus;
  programId?: number;
  brandAccountId?: number;
  currency?: string;
  /** Issued from this month on / up to this month (YYYY-MM-DD of the period's start). */
  periodFrom?: string;
  periodTo?: string;
  sort?: 'IssuedDate' | 'DueDate' | 'Total' | 'Number';
  order?: 'asc' | 'desc';
}

const SORTS: Record<NonNullable<StatementFilter['sort']>, string> = {
  IssuedDate: 's.issued_at',
  DueDate: 's.due_at',
  Total: 's.total_minor',
  Number: 's.number',
};

export async function listStatements(sql: Sql, actor: Actor, filter: StatementFilter, now: Date): Promise<Page<StatementRow>> {
  const params: unknown[] = [now];
  const where = [scope(actor, params)];
  const add = (clause: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(clause(params.length));
  };
  if (filter.status) add((n) => `${STATUS_SQL('$1::timestamptz')} = $${n}`, filter.status);
  if (filter.programId) add((n) => `s.program_id = $${n}`, filter.programId);
  if (filter.brandAccountId) add((n) => `s.brand_account_id = $${n}`, filter.brandAccountId);
  if (filter.currency) add((n) => `s.currency = $${n}`, filter.currency);
  if (filter.periodFrom) add((n) => `s.period_start >= $${n}::date`, filter.periodFrom);
  if (filter.periodTo) add((n) => `s.period_start <= $${n}::date`, filter.periodTo);
  const order = `${SORTS[filter.sort ?? 'IssuedDate']} ${filter.order === 'asc' ? 'asc' : 'desc'}, s.id ${filter.order === 'asc' ? 'asc' : 'desc'}`;
  // The count reads the status too, so that it takes the same parameters ($1, now) as the page.
  const { rows: count } = await sql.query<{ n: number }>(
    `select count(*)::int as n from (select ${STATUS_SQL('$1::timestamptz')} as status ${FROM} where ${where.join(' and ')}) counted`,
    params,
  );
  params.push(filter.pageSize, (filter.page - 1) * filter.pageSize);
  const { rows } = await sql.query<StatementRow>(
    `select ${COLUMNS('$1::timestamptz')} ${FROM} where ${where.join(' and ')} order by ${order} limit $${params.length - 1} offset $${params.length}`,
    params,
  );
  return { items: rows, page: filter.page, pageSize: filter.pageSize, total: count[0]!.n };
}

export async function getStatementOrThrow(sql: Sql, actor: Actor, statementId: number, now: Date): Promise<StatementRow> {
  const params: unknown[] = [now, statementId];
  const { rows } = await sql.query<StatementRow>(`select ${COLUMNS('$1::timestamptz')} ${FROM} where s.id = $2 and ${scope(actor, params)}`, params);
  if (!rows[0]) throw notFound(`Statement ${statementId} does not exist, or it is not one of your account's.`);
  return rows[0];
}

/** A statement's totals per partner and, within a partner, per event type: the grouping a statement is read in. */
export interface StatementGroup {
  partnerAccountId: number;
  partnerName: string;
  eventTypeId: number;
  eventTypeName: string;
  actions: number;
  amountMinor: bigint;
  payoutMinor: bigint;
}

export async function statementGroups(sql: Sql, statementId: number): Promise<StatementGroup[]> {
  const { rows } = await sql.query<StatementGroup>(
    `select l.partner_account_id as "partnerAccountId", pa.name as "partnerName", l.event_type_id as "eventTypeId", et.name as "eventTypeName",
            count(*)::int as actions, sum(l.amount_minor)::bigint as "amountMinor", sum(l.payout_minor)::bigint as "payoutMinor"
       from statement_lines l join accounts pa on pa.id = l.partner_account_id join event_types et on et.id = l.event_type_id
      where l.statement_id = $1
      group by l.partner_account_id, pa.name, l.event_type_id, et.name
      order by pa.name, l.partner_account_id, et.name, l.event_type_id`,
    [statementId],
  );
  return rows;
}

export interface StatementLineRow {
  actionId: bigint;
  partnerAccountId: number;
  partnerName: string;
  eventTypeId: number;
  eventTypeName: string;
  orderId: string | null;
  eventAt: Date;
  lockedAt: Date;
  amountMinor: bigint;
  payoutMinor: bigint;
}

const LINE_COLUMNS = `l.action_id as "actionId", l.partner_account_id as "partnerAccountId", pa.name as "partnerName",
  l.event_type_id as "eventTypeId", et.name as "eventTypeName", a.order_id as "orderId", a.event_at as "eventAt",
  l.locked_at as "lockedAt", l.amount_minor as "amountMinor", l.payout_minor as "payoutMinor"`;
const LINE_FROM = `from statement_lines l join actions a on a.id = l.action_id join accounts pa on pa.id = l.partner_account_id
  join event_types et on et.id = l.event_type_id`;

export async function listStatementLines(
  sql: Sql,
  statementId: number,
  filter: { page: number; pageSize: number; partnerAccountId?: number },
): Promise<Page<StatementLineRow>> {
  const params: unknown[] = [statementId];
  let where = 'l.statement_id = $1';
  if (filter.partnerAccountId) {
    params.push(filter.partnerAccountId);
    where += ` and l.partner_account_id = $${params.length}`;
  }
  const { rows: count } = await sql.query<{ n: number }>(`select count(*)::int as n from statement_lines l where ${where}`, params);
  params.push(filter.pageSize, (filter.page - 1) * filter.pageSize);
  const { rows } = await sql.query<StatementLineRow>(
    `select ${LINE_COLUMNS} ${LINE_FROM} where ${where} order by pa.name, l.partner_account_id, l.action_id
      limit $${params.length - 1} offset $${params.length}`,
    params,
  );
  return { items: rows, page: filter.page, pageSize: filter.pageSize, total: count[0]!.n };
}

/** Every line of a statement, in the listing's order, in pages of 2,000 for a download. */
export async function* exportStatementLines(sql: Sql, statementId: number): AsyncGenerator<StatementLineRow[]> {
  let after: { name: string; partner: number; action: string } | null = null;
  for (;;) {
    const params: unknown[] = [statementId];
    let where = 'l.statement_id = $1';
    if (after) {
      params.push(after.name, after.partner, after.action);
      where += ` and (pa.name, l.partner_account_id, l.action_id) > ($2, $3, $4::bigint)`;
    }
    const { rows } = await sql.query<StatementLineRow>(
      `select ${LINE_COLUMNS} ${LINE_FROM} where ${where} order by pa.name, l.partner_account_id, l.action_id limit 2000`,
      params,
    );
    if (rows.length > 0) yield rows;
    if (rows.length < 2000) return;
    const last = rows[rows.length - 1]!;
    after = { name: last.partnerName, partner: last.partnerAccountId, action: last.actionId.toString() };
  }
}

export interface PaymentRow {
  id: number;
  statementId: number;
  amountMinor: bigint;
  currency: string;
  receivedOn: string;
  reference: string;
  source: PaymentSource;
  recordedAt: Date;
}

/** A brand payment's columns as PaymentRow names them. */
export const PAYMENT_COLUMNS = `id, statement_id as "statementId", amount_minor as "amountMinor", currency, received_on::text as "receivedOn",
  reference, source, recorded_at as "recordedAt"`;

export async function listPayments(sql: Sql, statementId: number): Promise<PaymentRow[]> {
  const { rows } = await sql.query<PaymentRow>(
    `select ${PAYMENT_COLUMNS} from brand_payments where statement_id = $1 order by id`,
    [statementId],
  );
  return rows;
}

/**
 * The partners of a statement (of its action lines or its corrections) and what its actions pay each, in partner order
 * after `afterPartnerId`: what clearing posts (each correction is posted on its own).
 */
export async function partnerTotalsOfStatement(
  sql: Sql,
  statementId: number,
  afterPartnerId: number,
  limit: number,
): Promise<Array<{ partnerAccountId: number; payoutMinor: bigint }>> {
  const { rows } = await sql.query<{ partnerAccountId: number; payoutMinor: bigint }>(
    `select partner_account_id as "partnerAccountId", sum(payout_minor)::bigint as "payoutMinor"
       from (select partner_account_id, payout_minor from statement_lines where statement_id = $1 and partner_account_id > $2
             union all
             select partner_account_id, 0 from action_corrections where statement_id = $1 and partner_account_id > $2) lines
      group by partner_account_id order by partner_account_id limit $3`,
    [statementId, afterPartnerId, limit],
  );
  return rows;
}

/** A partner's action ids on a statement after `afterActionId`, in id order, for clearing in chunks. */
export async function partnerActionIdsOfStatement(
  sql: Sql,
  statementId: number,
  partnerAccountId: number,
  afterActionId: bigint,
  limit: number,
): Promise<bigint[]> {
  const { rows } = await sql.query<{ id: bigint }>(
    `select action_id as id from statement_lines where statement_id = $1 and partner_account_id = $2 and action_id > $3
      order by action_id limit $4`,
    [statementId, partnerAccountId, afterActionId.toString(), limit],
  );
  return rows.map((row) => row.id);
}

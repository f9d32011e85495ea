import { notFound } from '../../core/errors.js';
import { pageOffset, sortClause, type Page, type PageRequest } from '../../core/paging.js';
import type { Sql } from '../../db/types.js';
import type { Actor } from '../accounts/actor.js';
import { termsFromJson, type TermsDefinition, type TermsJson } from '../programs/terms/index.js';
import type { ContractStatus, TerminationReason } from './types.js';

export { TERMINATION_REASONS, type ContractStatus, type TerminationReason } from './types.js';

export interface ContractRow {
  id: number;
  programId: number;
  programName: string;
  /** The program's time zone: the contract's dates are read in it by both parties. */
  programTimeZone: string;
  currency: string;
  brandAccountId: number;
  brandName: string;
  partnerAccountId: number;
  partnerName: string;
  templateTermsId: number;
  templateTermsName: string;
  terms: TermsDefinition;
  status: ContractStatus;
  startAt: Date;
  endAt: Date | null;
  terminationReason: TerminationReason;
  createdAt: Date;
}

type StoredRow = Omit<ContractRow, 'terms'> & { terms: TermsJson };

/** Status is derived from the end date and the clock, so an expiry "on a date" needs no job to take effect. */
function columns(nowParam: string): string {
  return `c.id, c.program_id as "programId", p.name as "programName", p.time_zone as "programTimeZone", p.currency,
    c.brand_account_id as "brandAccountId", b.name as "brandName",
    c.partner_account_id as "partnerAccountId", pa.name as "partnerName",
    c.template_terms_id as "templateTermsId", tt.name as "templateTermsName", c.terms,
    case when c.end_at is not null and c.end_at <= ${nowParam} then 'EXPIRED' else 'ACTIVE' end as status,
    c.start_at as "startAt", c.end_at as "endAt", c.termination_reason as "terminationReason", c.created_at as "createdAt"`;
}

const FROM = `from contracts c
  join programs p on p.id = c.program_id
  join accounts b on b.id = c.brand_account_id
  join accounts pa on pa.id = c.partner_account_id
  join template_terms tt on tt.id = c.template_terms_id`;

function fromStored(row: StoredRow): ContractRow {
  return { ...row, terms: termsFromJson(row.terms) };
}

/**
 * The tenancy filter of every contract query: a partner sees its own, a brand those of
 * its programs, an operator all. The account id is added to the parameters only when the
 * filter uses it (PostgreSQL refuses a parameter it cannot type).
 */
function scope(actor: Actor, params: unknown[]): string {
  if (actor.type === 'operator') return 'true';
  params.push(actor.accountId);
  return actor.accountKind === 'PARTNER' ? `c.partner_account_id = $${params.length}` : `c.brand_account_id = $${params.length}`;
}

/** Contracts by id, whoever's (the outbox renders its events with them), in id order. */
export async function loadContractRows(sql: Sql, contractIds: readonly number[], now: Date): Promise<ContractRow[]> {
  if (contractIds.length === 0) return [];
  const { rows } = await sql.query<StoredRow>(`select ${columns('$2')} ${FROM} where c.id = any($1::int[]) order by c.id`, [contractIds, now]);
  return rows.map(fromStored);
}

export async function getContractOrThrow(sql: Sql, actor: Actor, contractId: number, now: Date): Promise<ContractRow> {
  const params: unknown[] = [contractId, now];
  const { rows } = await sql.query<StoredRow>(`select ${columns('$2')} ${FROM} where c.id = $1 and ${scope(actor, params)}`, params);
  if (!rows[0]) throw notFound(`Contract ${contractId} does not exist or is not visible to this account.`);
  return fromStored(rows[0]);
}

export interface ContractHistoryFilter extends PageRequest {
  programId?: number;
  /** "Contract Status": every contract, or current active contracts only. */
  status?: 'ALL' | 'ACTIVE' | 'EXPIRED';
  terminationReason?: TerminationReason;
  partnerAccountId?: number;
  sort?: string;
  order?: 'asc' | 'desc';
}

const SORTS: Record<string, string> = {
  id: 'c.id',
  startAt: 'c.start_at',
  endAt: 'c.end_at',
  programName: 'p.name',
  partnerName: 'pa.name',
  brandName: 'b.name',
  terminationReason: 'c.termination_reason',
};

/** The Contract History report. */
export async function listContractHistory(
  sql: Sql,
  actor: Actor,
  filter: ContractHistoryFilter,
  now: Date,
): Promise<Page<ContractRow>> {
  const params: unknown[] = [now];
  const where = [scope(actor, params)];
  if (filter.programId !== undefined) {
    params.push(filter.programId);
    where.push(`c.program_id = $${params.length}`);
  }
  if (filter.partnerAccountId !== undefined) {
    params.push(filter.partnerAccountId);
    where.push(`c.partner_account_id = $${params.length}`);
  }
  if (filter.status === 'ACTIVE') where.push('(c.end_at is null or c.end_at > $1)');
  if (filter.status === 'EXPIRED') where.push('(c.end_at is not null and c.end_at <= $1)');
  if (filter.terminationReason !== undefined) {
    params.push(filter.terminationReason);
    where.push(`c.termination_reason = $${params.length}`);
  }
  const whereSql = where.join(' and ');
  const order = sortClause(filter.sort, filter.order, SORTS, 'startAt');
  // $1 (now) is typed in the count too, which uses it only when filtering by status.
  const total = await sql.query<{ n: number }>(`select count(*)::int as n, $1::timestamptz as "asOf" ${FROM} where ${whereSql}`, params);
  const { rows } = await sql.query<StoredRow>(
    `select ${columns('$1')} ${FROM} where ${whereSql} order by ${order}, c.id desc
      limit ${filter.pageSize} offset ${pageOffset(filter)}`,
    params,
  );
  return { items: rows.map(fromStored), page: filter.page, pageSize: filter.pageSize, total: total.rows[0]?.n ?? 0 };
}

export interface ContractSpan {
  id: number;
  programId: number;
  partnerAccountId: number;
  startAt: Date;
  endAt: Date | null;
  terms: TermsDefinition;
}

/** Every contract of the given (program, partner) pairs, newest first, keyed "program|partner". */
export async function loadContractSpans(
  sql: Sql,
  pairs: ReadonlyArray<{ programId: number; partnerAccountId: number }>,
): Promise<Map<string, ContractSpan[]>> {
  const spans = new Map<string, ContractSpan[]>();
  if (pairs.length === 0) return spans;
  const { rows } = await sql.query<Omit<ContractSpan, 'terms'> & { terms: TermsJson }>(
    `select id, program_id as "programId", partner_account_id as "partnerAccountId", start_at as "startAt", end_at as "endAt", terms
       from contracts
      where (program_id, partner_account_id) in (select * from unnest($1::int[], $2::int[]))
      order by start_at desc, id desc`,
    [pairs.map((p) => p.programId), pairs.map((p) => p.partnerAccountId)],
  );
  for (const row of rows) {
    const key = `${row.programId}|${row.partnerAccountId}`;
    spans.set(key, [...(spans.get(key) ?? []), { ...row, terms: termsFromJson(row.terms) }]);
  }
  return spans;
}

/**
 * The contract in force at an instant, or why there is none: CONTRACT_EXPIRED when the
 * partner had a contract that ended by then, NO_CONTRACT otherwise.
 */
export function pickContractInForce(
  spans: readonly ContractSpan[],
  at: Date,
): { contract: ContractSpan } | { missing: 'CONTRACT_EXPIRED' | 'NO_CONTRACT' } {
  const time = at.getTime();
  const contract = spans.find((c) => c.startAt.getTime() <= time && (c.endAt === null || c.endAt.getTime() > time));
  if (contract) return { contract };
  return { missing: spans.some((c) => c.endAt !== null && c.endAt.getTime() <= time) ? 'CONTRACT_EXPIRED' : 'NO_CONTRACT' };
}

export interface BrandPartnerRow {
  partnerAccountId: number;
  partnerName: string;
  activeContracts: number;
  contracts: number;
  firstContractAt: Date;
}

/** The partners a brand works or has worked with: everyone with a contract on its programs. */
export async function listPartnersOfBrand(sql: Sql, brandAccountId: number, now: Date): Promise<BrandPartnerRow[]> {
  const { rows } = await sql.query<BrandPartnerRow>(
    `select pa.id as "partnerAccountId", pa.name as "partnerName",
            count(*) filter (where c.end_at is null or c.end_at > $2)::int as "activeContracts",
            count(*)::int as contracts, min(c.start_at) as "firstContractAt"
       from contracts c join accounts pa on pa.id = c.partner_account_id
      where c.brand_account_id = $1
      group by pa.id, pa.name
      order by lower(pa.name), pa.id`,
    [brandAccountId, now],
  );
  return rows;
}

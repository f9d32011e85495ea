import { notFound } from '../../core/errors.js';
import { pageOffset, sortClause, type Page, type PageRequest } from '../../core/paging.js';
import type { Sql } from '../../db/types.js';
import type { AccountActor } from '../accounts/actor.js';
import { isLandingUrlAllowed } from '../programs/landing-domains.js';
import type { LinkEffectiveState, LinkStatus } from './types.js';

export type { LinkEffectiveState, LinkStatus } from './types.js';

export interface LinkRow {
  id: number;
  code: string;
  programId: number;
  programName: string;
  brandAccountId: number;
  partnerAccountId: number;
  partnerName: string;
  landingUrl: string;
  label: string;
  status: LinkStatus;
  createdAt: Date;
  disabledAt: Date | null;
  clickCount: number;
  /** False when the landing URL's host is outside the program's allowed landing domains: its visits are refused. */
  landingAllowed: boolean;
  /** What a click on it does now (see `effectiveState`). */
  effectiveState: LinkEffectiveState;
}

type StoredRow = Omit<LinkRow, 'clickCount' | 'landingAllowed' | 'effectiveState'> & {
  clickCount: bigint | number | string;
  landingDomains: string[];
  partnerClosed: boolean;
  contractInForce: boolean;
};

// The click count reads the (link_id, at) index only; it is exact, not a cached counter. The
// contract in force is the partner's contract with the program at the instant `now` (the
// service's clock), read through contracts_partner_idx.
const columns = (nowParam: string) => `l.id, l.code, l.program_id as "programId", p.name as "programName", p.brand_account_id as "brandAccountId",
  l.partner_account_id as "partnerAccountId", pa.name as "partnerName", l.landing_url as "landingUrl", l.label,
  case when l.disabled_at is null then 'ACTIVE' else 'DISABLED' end as status,
  l.created_at as "createdAt", l.disabled_at as "disabledAt", p.landing_domains as "landingDomains",
  (select count(*) from clicks c where c.link_id = l.id) as "clickCount",
  pa.status = 'CLOSED' as "partnerClosed",
  exists (select 1 from contracts k where k.partner_account_id = l.partner_account_id and k.program_id = l.program_id
           and k.start_at <= ${nowParam} and (k.end_at is null or k.end_at > ${nowParam})) as "contractInForce"`;

const FROM = `from tracking_links l
  join programs p on p.id = l.program_id
  join accounts pa on pa.id = l.partner_account_id`;

/**
 * A link's effective state, the first that holds: DISABLED (by the partner: visits get an
 * error page, nothing is recorded), PARTNER_CLOSED (the expired-link page, nothing
 * recorded), BLOCKED (landing URL outside the program's landing domains: "Link not
 * found", nothing recorded), CONTRACT_EXPIRED (no contract in force with the program:
 * clicks are still counted, conversions earn nothing), else ACTIVE.
 */
export function effectiveState(link: { disabled: boolean; partnerClosed: boolean; landingAllowed: boolean; contractInForce: boolean }): LinkEffectiveState {
  if (link.disabled) return 'DISABLED';
  if (link.partnerClosed) return 'PARTNER_CLOSED';
  if (!link.landingAllowed) return 'BLOCKED';
  if (!link.contractInForce) return 'CONTRACT_EXPIRED';
  return 'ACTIVE';
}

function fromStored({ landingDomains, partnerClosed, contractInForce, ...row }: StoredRow): LinkRow {
  const landingAllowed = isLandingUrlAllowed(row.landingUrl, landingDomains);
  return {
    ...row,
    clickCount: Number(row.clickCount),
    landingAllowed,
    effectiveState: effectiveState({ disabled: row.disabledAt !== null, partnerClosed, landingAllowed, contractInForce }),
  };
}

/** The tenancy filter: a partner sees its own links, a brand the links to its programs. */
function scope(actor: AccountActor, param: string): string {
  return actor.accountKind === 'PARTNER' ? `l.partner_account_id = ${param}` : `p.brand_account_id = ${param}`;
}

export async function getVisibleLinkOrThrow(sql: Sql, actor: AccountActor, linkId: number, now: Date): Promise<LinkRow> {
  const { rows } = await sql.query<StoredRow>(`select ${columns('$3')} ${FROM} where l.id = $1 and ${scope(actor, '$2')}`, [
    linkId,
    actor.accountId,
    now,
  ]);
  if (!rows[0]) throw notFound(`Tracking link ${linkId} does not exist or is not visible to this account.`);
  return fromStored(rows[0]);
}

export interface LinkFilter extends PageRequest {
  programId?: number;
  status?: LinkStatus;
  sort?: string;
  order?: 'asc' | 'desc';
}

const SORTS: Record<string, string> = {
  id: 'l.id',
  createdAt: 'l.created_at',
  label: 'l.label',
  programName: 'p.name',
  partnerName: 'pa.name',
};

export async function listVisibleLinks(sql: Sql, actor: AccountActor, filter: LinkFilter, now: Date): Promise<Page<LinkRow>> {
  const params: unknown[] = [actor.accountId];
  const where = [scope(actor, '$1')];
  if (filter.programId !== undefined) {
    params.push(filter.programId);
    where.push(`l.program_id = $${params.length}`);
  }
  if (filter.status === 'ACTIVE') where.push('l.disabled_at is null');
  if (filter.status === 'DISABLED') where.push('l.disabled_at is not null');
  const whereSql = where.join(' and ');
  const order = sortClause(filter.sort, filter.order, SORTS, 'createdAt');
  const total = await sql.query<{ n: number }>(`select count(*)::int as n ${FROM} where ${whereSql}`, params);
  const { rows } = await sql.query<StoredRow>(
    `select ${columns(`$${params.length + 1}`)} ${FROM} where ${whereSql} order by ${order}, l.id desc
      limit ${filter.pageSize} offset ${pageOffset(filter)}`,
    [...params, now],
  );
  return { items: rows.map(fromStored), page: filter.page, pageSize: filter.pageSize, total: total.rows[0]?.n ?? 0 };
}

/** What the click path needs to know about a link, in one indexed query. */
export interface ClickTarget {
  linkId: number;
  programId: number;
  partnerAccountId: number;
  landingUrl: string;
  disabled: boolean;
  partnerClosed: boolean;
  /** The program's allowed landing domains now: the cache decides from them once per lookup, not per click. */
  landingDomains: string[];
}

export async function findClickTarget(sql: Sql, code: string): Promise<ClickTarget | undefined> {
  const { rows } = await sql.query<ClickTarget>(
    `select l.id as "linkId", l.program_id as "programId", l.partner_account_id as "partnerAccountId",
            l.landing_url as "landingUrl", l.disabled_at is not null as disabled, a.status = 'CLOSED' as "partnerClosed",
            p.landing_domains as "landingDomains"
       from tracking_links l join accounts a on a.id = l.partner_account_id join programs p on p.id = l.program_id
      where l.code = $1`,
    [code],
  );
  return rows[0];
}

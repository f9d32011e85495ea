import { pageOffset, sortClause, type Page, type PageRequest } from '../../core/paging.js';
import type { Sql } from '../../db/types.js';

export interface ConversionView {
  id: bigint;
  programId: number;
  programName: string;
  eventTypeId: number;
  eventTypeName: string;
  partnerName: string | null;
  orderId: string;
  eventAt: Date;
  clickId: string | null;
  partnerAccountId: number | null;
  amountMinor: bigint;
  currency: string;
  status: 'ACCEPTED' | 'REJECTED';
  rejectReason: string | null;
  actionId: bigint | null;
  createdAt: Date;
}

const SORTS: Record<string, string> = { CreatedDate: 'c.created_at', EventDate: 'c.event_at', Id: 'c.id', OrderId: 'c.order_id' };

/** A brand's conversions, so rejected ones are visible with their reason rather than lost. */
export async function listConversions(
  sql: Sql,
  brandAccountId: number,
  filter: PageRequest & {
    status?: string;
    rejectReason?: string;
    orderId?: string;
    from?: Date;
    to?: Date;
    sort?: string;
    order?: 'asc' | 'desc';
  },
): Promise<Page<ConversionView>> {
  const params: unknown[] = [brandAccountId];
  const where = ['c.brand_account_id = $1'];
  for (const [column, value] of [
    ['c.status', filter.status],
    ['c.reject_reason', filter.rejectReason],
    ['c.order_id', filter.orderId],
  ] as const) {
    if (value === undefined) continue;
    params.push(value);
    where.push(`${column} = $${params.length}`);
  }
  if (filter.from) {
    params.push(filter.from);
    where.push(`c.event_at >= $${params.length}`);
  }
  if (filter.to) {
    params.push(filter.to);
    where.push(`c.event_at < $${params.length}`);
  }
  const whereSql = where.join(' and ');
  const total = await sql.query<{ n: number }>(`select count(*)::int as n from conversions c where ${whereSql}`, params);
  const { rows } = await sql.query<ConversionView>(
    `select c.id, c.program_id as "programId", p.name as "programName", c.event_type_id as "eventTypeId",
            et.name as "eventTypeName", pa.name as "partnerName", c.order_id as "orderId", c.event_at as "eventAt",
            c.click_id as "clickId", c.partner_account_id as "partnerAccountId", c.amount_minor as "amountMinor", c.currency,
            c.status, c.reject_reason as "rejectReason", a.id as "actionId", c.created_at as "createdAt"
       from conversions c
       join programs p on p.id = c.program_id
       join event_types et on et.id = c.event_type_id
       left join accounts pa on pa.id = c.partner_account_id
       left join actions a on a.conversion_id = c.id
      where ${whereSql} order by ${sortClause(filter.sort, filter.order, SORTS, 'CreatedDate')}, c.id desc
      limit ${filter.pageSize} offset ${pageOffset(filter)}`,
    params,
  );
  return { items: rows, page: filter.page, pageSize: filter.pageSize, total: total.rows[0]!.n };
}

import { pageOffset, sortClause, type Page, type PageRequest } from '../../core/paging.js';
import type { Sql } from '../../db/types.js';
import type { AccountKind } from './actor.js';
import type { AccountRow } from './queries.js';

const SORTS: Record<string, string> = { id: 'a.id', name: 'lower(a.name)', createdAt: 'a.created_at', kind: 'a.kind' };

/** For operators: every account, searchable by name or SID. */
export async function listAccounts(
  sql: Sql,
  filter: PageRequest & { kind?: AccountKind; q?: string; sort?: string; order?: 'asc' | 'desc' },
): Promise<Page<AccountRow & { members: number }>> {
  const params: unknown[] = [];
  const where: string[] = ['true'];
  if (filter.kind) {
    params.push(filter.kind);
    where.push(`a.kind = $${params.length}`);
  }
  if (filter.q) {
    params.push(`%${filter.q.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
    where.push(`(lower(a.name) like $${params.length} or lower(a.sid) like $${params.length})`);
  }
  const whereSql = where.join(' and ');
  const total = await sql.query<{ n: number }>(`select count(*)::int as n from accounts a where ${whereSql}`, params);
  const { rows } = await sql.query<AccountRow & { members: number }>(
    `select a.id, a.kind, a.name, a.time_zone as "timeZone", a.currency, a.sid, a.status, a.created_at as "createdAt",
            (select count(*)::int from memberships m where m.account_id = a.id) as members
       from accounts a where ${whereSql}
      order by ${sortClause(filter.sort, filter.order, SORTS, 'id')}, a.id
      limit ${filter.pageSize} offset ${pageOffset(filter)}`,
    params,
  );
  return { items: rows, page: filter.page, pageSize: filter.pageSize, total: total.rows[0]?.n ?? 0 };
}

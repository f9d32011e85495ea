import { notFound } from '../../core/errors.js';
import { pageOffset, sortDirection, type Page, type PageRequest } from '../../core/paging.js';
import type { Sql } from '../../db/types.js';
import type { Actor } from '../accounts/actor.js';
import type { TicketMessageRow, TicketRow, TicketStatus, TicketType } from './types.js';

export const TICKET_COLUMNS = `t.id, t.account_id as "accountId", a.name as "accountName", t.opened_by_user_id as "openedByUserId",
  u.name as "openedByName", t.type, t.subject, t.status, t.request, t.opened_at as "openedAt", t.updated_at as "updatedAt",
  t.closed_at as "closedAt", t.outcome,
  array(select ta.account_id from ticket_accounts ta where ta.ticket_id = t.id order by ta.account_id) as "accountIds",
  array(select tx.action_id::text from ticket_actions tx where tx.ticket_id = t.id order by tx.action_id) as "actionIds",
  (select count(*)::int from ticket_messages m where m.ticket_id = t.id) as "messageCount"`;
const FROM = 'tickets t join accounts a on a.id = t.account_id left join users u on u.id = t.opened_by_user_id';

/** Tickets by id as they are now (the outbox's ticket events, src/http/event-payloads.ts). */
export async function loadTicketRows(sql: Sql, ids: readonly string[]): Promise<TicketRow[]> {
  const { rows } = await sql.query<TicketRow>(`select ${TICKET_COLUMNS} from ${FROM} where t.id = any($1::bigint[]) order by t.id`, [ids]);
  return rows;
}

/**
 * Who may see a ticket: an operator any; an account's users the tickets opened for their
 * account or naming it (a closure ticket for two accounts is seen from both).
 */
function visibility(actor: Actor, param: string): string {
  if (actor.type === 'operator') return 'true';
  return `(t.account_id = ${param} or exists (select 1 from ticket_accounts v where v.ticket_id = t.id and v.account_id = ${param}))`;
}

export async function getTicketOrThrow(sql: Sql, actor: Actor, id: bigint): Promise<TicketRow> {
  const params: unknown[] = [id.toString()];
  if (actor.type === 'account') params.push(actor.accountId);
  const { rows } = await sql.query<TicketRow>(`select ${TICKET_COLUMNS} from ${FROM} where t.id = $1 and ${visibility(actor, '$2')}`, params);
  if (!rows[0]) throw notFound(`Ticket ${id} does not exist.`);
  return rows[0];
}

export interface TicketFilter extends PageRequest {
  status?: TicketStatus;
  type?: TicketType;
  /** Only tickets opened at least this many days ago (the operator's queue, by age). */
  olderThanDays?: number;
  order?: 'asc' | 'desc';
}

/** An account's tickets, newest first; for an operator the queue, oldest first. */
export async function listTickets(sql: Sql, actor: Actor, filter: TicketFilter, now: Date): Promise<Page<TicketRow>> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (actor.type === 'account') {
    params.push(actor.accountId);
    where.push(visibility(actor, `$${params.length}`));
  }
  if (filter.status) {
    params.push(filter.status);
    where.push(`t.status = $${params.length}`);
  }
  if (filter.type) {
    params.push(filter.type);
    where.push(`t.type = $${params.length}`);
  }
  if (filter.olderThanDays !== undefined) {
    params.push(new Date(now.getTime() - filter.olderThanDays * 86_400_000));
    where.push(`t.opened_at <= $${params.length}`);
  }
  const order = filter.order ?? (actor.type === 'operator' ? 'asc' : 'desc');
  const whereSql = where.length ? `where ${where.join(' and ')}` : '';
  const count = await sql.query<{ n: number }>(`select count(*)::int as n from tickets t ${whereSql}`, params);
  const direction = sortDirection(order);
  const { rows } = await sql.query<TicketRow>(
    `select ${TICKET_COLUMNS} from ${FROM} ${whereSql} order by t.opened_at ${direction}, t.id ${direction} limit $${params.length + 1} offset $${params.length + 2}`,
    [...params, filter.pageSize, pageOffset(filter)],
  );
  return { items: rows, page: filter.page, pageSize: filter.pageSize, total: count.rows[0]!.n };
}

export async function listTicketMessages(sql: Sql, ticketId: bigint): Promise<TicketMessageRow[]> {
  const { rows } = await sql.query<TicketMessageRow>(
    `select m.id, m.author_kind as "authorKind", u.name as "authorName", m.body, m.at,
            coalesce((select json_agg(json_build_object('id', f.id::text, 'fileName', f.file_name, 'contentType', f.content_type, 'sizeBytes', f.size_bytes) order by f.id)
                        from ticket_attachments f where f.message_id = m.id), '[]') as attachments
       from ticket_messages m left join users u on u.id = m.author_user_id
      where m.ticket_id = $1 order by m.id`,
    [ticketId.toString()],
  );
  return rows.map((row) => ({ ...row, attachments: row.attachments.map((f) => ({ ...f, id: BigInt(f.id as unknown as string) })) }));
}

export interface AttachmentFile {
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

/** An attachment of a ticket the actor may see (404 otherwise, whoever's it is). */
export async function getTicketAttachmentOrThrow(sql: Sql, actor: Actor, ticketId: bigint, attachmentId: bigint): Promise<AttachmentFile> {
  await getTicketOrThrow(sql, actor, ticketId);
  const { rows } = await sql.query<AttachmentFile>(
    `select f.file_name as "fileName", f.content_type as "contentType", f.bytes
       from ticket_attachments f join ticket_messages m on m.id = f.message_id
      where f.id = $1 and m.ticket_id = $2`,
    [attachmentId.toString(), ticketId.toString()],
  );
  if (!rows[0]) throw notFound(`Ticket ${ticketId} has no attachment ${attachmentId}.`);
  return rows[0];
}

/** What an operator sees of each account a ticket names, read now: the facts a resolution or a closure turns on. */
export interface AccountFacts {
  accountId: number;
  name: string;
  kind: string;
  status: string;
  activeContracts: number;
  pendingActions: number;
  balances: Array<{ code: string; currency: string; balanceMinor: bigint }>;
}

export async function accountFacts(sql: Sql, accountIds: readonly number[], now: Date): Promise<AccountFacts[]> {
  if (accountIds.length === 0) return [];
  const { rows } = await sql.query<AccountFacts & { balances: Array<{ code: string; currency: string; balanceMinor: string }> }>(
    `select a.id as "accountId", a.name, a.kind, a.status,
            (select count(*)::int from contracts c
              where (c.partner_account_id = a.id or c.brand_account_id = a.id) and (c.end_at is null or c.end_at > $2)) as "activeContracts",
            (select count(*)::int from actions x
              where (x.partner_account_id = a.id or x.brand_account_id = a.id) and x.state = 'PENDING') as "pendingActions",
            coalesce((select json_agg(json_build_object('code', l.code, 'currency', l.currency,
                                                        'balanceMinor', (l.credits_posted_minor - l.debits_posted_minor)::text) order by l.code, l.currency)
                        from ledger_accounts l where l.owner_account_id = a.id), '[]') as balances
       from accounts a where a.id = any($1::int[]) order by a.id`,
    [accountIds, now],
  );
  return rows.map((row) => ({ ...row, balances: row.balances.map((b) => ({ ...b, balanceMinor: BigInt(b.balanceMinor) })) }));
}

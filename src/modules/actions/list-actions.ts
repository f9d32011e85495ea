import { invalid, notFound } from '../../core/errors.js';
import { pageOffset, sortClause, sortDirection, type PageRequest } from '../../core/paging.js';
import type { Sql } from '../../db/types.js';
import { CREDENTIAL_ACTOR_NAME_SQL, type Actor } from '../accounts/actor.js';
import { itemsFromJson, STATUS_DETAILS, type ActionItem, type ActionItemJson, type ActionState, type EventKind, type PendingScreenStatus } from './types.js';

export { STATUS_DETAILS } from './types.js';

export interface ActionView {
  id: bigint;
  programId: number;
  programName: string;
  /** The program's time zone: the one its contract dates (event, locking, payment) are reckoned in. */
  programTimeZone: string;
  eventTypeId: number;
  eventTypeName: string;
  eventKind: EventKind;
  partnerAccountId: number;
  partnerName: string;
  brandAccountId: number;
  contractId: number;
  state: ActionState;
  statusDetail: string;
  reversalReason: string | null;
  currency: string;
  amountMinor: bigint;
  payoutMinor: bigint;
  originalAmountMinor: bigint;
  originalPayoutMinor: bigint;
  orderId: string | null;
  clickId: string | null;
  items: ActionItem[] | null;
  originalItems: ActionItem[] | null;
  referringAt: Date | null;
  eventAt: Date;
  lockingAt: Date;
  lockedAt: Date | null;
  paymentDueAt: Date | null;
  clearedAt: Date | null;
  /** The paystub that paid it (src/modules/payouts), once paid. */
  paystubId: bigint | null;
  modificationCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The status detail a partner (and the brand) sees, derived from state and money dates. */
export const STATUS_DETAIL_SQL = `case
  when a.state = 'PENDING' then 'Pending'
  when a.state = 'REVERSED' then 'Reversed/' || coalesce(a.reversal_reason, 'OTHER')
  when a.cleared_at is not null then 'Approved/Paid'
  when a.payment_due_at is not null and a.payment_due_at < $1 then 'Approved/Overdue'
  else 'Approved/Payment Pending' end`;

const COLUMNS = `a.id, a.program_id as "programId", p.name as "programName", p.time_zone as "programTimeZone", a.event_type_id as "eventTypeId",
  et.name as "eventTypeName", a.event_kind as "eventKind", a.partner_account_id as "partnerAccountId", pa.name as "partnerName",
  a.brand_account_id as "brandAccountId", a.contract_id as "contractId", a.state, ${STATUS_DETAIL_SQL} as "statusDetail",
  a.reversal_reason as "reversalReason", a.currency, a.amount_minor as "amountMinor", a.payout_minor as "payoutMinor",
  a.original_amount_minor as "originalAmountMinor", a.original_payout_minor as "originalPayoutMinor", a.order_id as "orderId",
  coalesce(a.click_id, (select cv.click_id from conversions cv where cv.id = a.conversion_id)) as "clickId", a.items, a.original_items as "originalItems", a.referring_at as "referringAt", a.event_at as "eventAt",
  a.locking_at as "lockingAt", a.locked_at as "lockedAt", a.payment_due_at as "paymentDueAt", a.cleared_at as "clearedAt",
  a.paystub_id as "paystubId", a.modification_count as "modificationCount", a.created_at as "createdAt", a.updated_at as "updatedAt"`;

const FROM = `from actions a
  join programs p on p.id = a.program_id
  join event_types et on et.id = a.event_type_id
  join accounts pa on pa.id = a.partner_account_id`;

type Row = Omit<ActionView, 'items' | 'originalItems'> & { items: ActionItemJson[] | null; originalItems: ActionItemJson[] | null };

function fromRow(row: Row): ActionView {
  return { ...row, items: itemsFromJson(row.items), originalItems: itemsFromJson(row.originalItems) };
}

function scope(actor: Actor, params: unknown[]): string {
  if (actor.type === 'operator') return 'true';
  params.push(actor.accountId);
  return actor.accountKind === 'BRAND' ? `a.brand_account_id = $${params.length}` : `a.partner_account_id = $${params.length}`;
}


export interface ActionFilter extends PageRequest {
  state?: ActionState;
  statusDetail?: string;
  pendingStatus?: PendingScreenStatus;
  programId?: number;
  /** ISO 4217: the actions in one currency (a brand's programs may pay in several). */
  currency?: string;
  partnerAccountId?: number;
  eventTypeId?: number;
  orderId?: string;
  actionId?: bigint;
  from?: Date;
  to?: Date;
  sort?: string;
  order?: 'asc' | 'desc';
}

// Amounts in different currencies do not compare: money sorts group by currency first.
const SORTS: Record<string, string> = {
  EventDate: 'a.event_at',
  LockingDate: 'a.locking_at',
  Amount: 'a.currency, a.amount_minor',
  Payout: 'a.currency, a.payout_minor',
  EventTypeName: 'et.name',
  CampaignName: 'p.name',
  Id: 'a.id',
  MediaPartnerName: 'pa.name',
  OrderId: 'a.order_id',
  State: 'a.state',
};

/** Counting stops here: past it the UI shows "10,000+" instead of scanning every row. */
export const COUNT_CAP = 10_000;

export interface ActionPage {
  items: ActionView[];
  page: number;
  pageSize: number;
  total: number;
  totalCapped: boolean;
}

const LOCKED_UNCLEARED = `a.state = 'APPROVED' and a.cleared_at is null`;
const PENDING_SCREEN_SQL: Record<PendingScreenStatus, string> = {
  NOT_YET_LOCKED: `a.state = 'PENDING'`,
  LOCKED: `${LOCKED_UNCLEARED} and (a.payment_due_at is null or a.payment_due_at >= $1)`,
  OVERDUE: `${LOCKED_UNCLEARED} and a.payment_due_at < $1`,
  ALL: `(a.state = 'PENDING' or (${LOCKED_UNCLEARED}))`,
};

/** The WHERE clause of an action query: tenancy first, then the filters. $1 is always "now". */
function actionWhere(actor: Actor, filter: Omit<ActionFilter, 'page' | 'pageSize'>, params: unknown[]): string[] {
  const where = [scope(actor, params)];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filter.state) add((p) => `a.state = ${p}`, filter.state);
  if (filter.statusDetail) {
    const detail = filter.statusDetail;
    if (detail === 'Pending') where.push(`a.state = 'PENDING'`);
    else if (detail === 'Reversed') where.push(`a.state = 'REVERSED'`);
    else if (detail.startsWith('Reversed/')) add((p) => `a.state = 'REVERSED' and a.reversal_reason = ${p}`, detail.slice('Reversed/'.length));
    else if (detail === 'Approved/Paid') where.push(`a.state = 'APPROVED' and a.cleared_at is not null`);
    else if (detail === 'Approved/Overdue') where.push(`a.state = 'APPROVED' and a.cleared_at is null and a.payment_due_at < $1`);
    else if (detail === 'Approved/Payment Pending') {
      where.push(`a.state = 'APPROVED' and a.cleared_at is null and (a.payment_due_at is null or a.payment_due_at >= $1)`);
    } else throw invalid(`Unknown status detail "${detail}"; use one of: ${STATUS_DETAILS.join(', ')}, or Reversed/<reason>.`);
  }
  if (filter.pendingStatus) where.push(PENDING_SCREEN_SQL[filter.pendingStatus]);
  if (filter.programId !== undefined) add((p) => `a.program_id = ${p}`, filter.programId);
  if (filter.currency !== undefined) add((p) => `a.currency = ${p}`, filter.currency);
  if (filter.partnerAccountId !== undefined) add((p) => `a.partner_account_id = ${p}`, filter.partnerAccountId);
  if (filter.eventTypeId !== undefined) add((p) => `a.event_type_id = ${p}`, filter.eventTypeId);
  if (filter.orderId !== undefined) {
    // Sales are found through their conversion (indexed by brand and OrderId); a CPC
    // action's OrderId is its click id, which has its own index.
    add(
      (p) => `(a.conversion_id = any(array(select cv.id from conversions cv where cv.order_id = ${p})) or a.click_id = ${p})`,
      filter.orderId,
    );
  }
  if (filter.actionId !== undefined) add((p) => `a.id = ${p}`, filter.actionId.toString());
  if (filter.from) add((p) => `a.event_at >= ${p}`, filter.from);
  if (filter.to) add((p) => `a.event_at < ${p}`, filter.to);
  return where;
}

/** The Pending Payouts list (brand), a partner's actions, or any actions (operator). */
export async function listActions(sql: Sql, actor: Actor, filter: ActionFilter, now: Date): Promise<ActionPage> {
  const params: unknown[] = [now];
  const where = actionWhere(actor, filter, params);
  const whereSql = where.join(' and ');
  const order = sortClause(filter.sort, filter.order, SORTS, 'EventDate');
  const [count, page] = await Promise.all([
    // $1 (now) is typed here too: PostgreSQL refuses a parameter it cannot type, and the
    // count uses it only when a status-detail filter does.
    sql.query<{ n: number }>(
      `select count(*)::int as n, $1::timestamptz as "asOf" from (select 1 from actions a where ${whereSql} limit ${COUNT_CAP + 1}) t`,
      params,
    ),
    sql.query<Row>(
      `select ${COLUMNS} ${FROM} where ${whereSql} order by ${order}, a.id ${sortDirection(filter.order)}
        limit ${filter.pageSize} offset ${pageOffset(filter)}`,
      params,
    ),
  ]);
  const total = count.rows[0]!.n;
  return {
    items: page.rows.map(fromRow),
    page: filter.page,
    pageSize: filter.pageSize,
    total: Math.min(total, COUNT_CAP),
    totalCapped: total > COUNT_CAP,
  };
}

/** The totals of one currency's actions that a filter matches. */
export interface CurrencyTotals {
  currency: string;
  count: number;
  amountMinor: bigint;
  payoutMinor: bigint;
}

/**
 * Totals per currency of every action the filter matches (all of them, not a page), for
 * the figures above Pending Payouts: amounts of different currencies are never added.
 */
export async function totalActions(sql: Sql, actor: Actor, filter: Omit<ActionFilter, 'page' | 'pageSize'>, now: Date): Promise<CurrencyTotals[]> {
  const params: unknown[] = [now];
  const whereSql = actionWhere(actor, filter, params).join(' and ');
  const { rows } = await sql.query<CurrencyTotals>(
    `select a.currency, count(*)::int as count, coalesce(sum(a.amount_minor), 0)::bigint as "amountMinor",
            coalesce(sum(a.payout_minor), 0)::bigint as "payoutMinor", $1::timestamptz as "asOf"
       from actions a where ${whereSql} group by a.currency order by a.currency`,
    params,
  );
  return rows.map(({ currency, count, amountMinor, payoutMinor }) => ({ currency, count, amountMinor: BigInt(amountMinor), payoutMinor: BigInt(payoutMinor) }));
}

/**
 * The ids of the actions a filter matches, in id order, at most `limit` ("select all N
 * matching" for a bulk operation, whose limit it is); `more` when others match beyond.
 */
export async function matchingActionIds(
  sql: Sql,
  actor: Actor,
  filter: Omit<ActionFilter, 'page' | 'pageSize' | 'sort' | 'order'>,
  now: Date,
  limit: number,
): Promise<{ ids: bigint[]; more: boolean }> {
  const params: unknown[] = [now];
  const whereSql = actionWhere(actor, filter, params).join(' and ');
  const { rows } = await sql.query<{ id: bigint }>(
    `select a.id, $1::timestamptz as "asOf" from actions a where ${whereSql} order by a.id limit ${limit + 1}`,
    params,
  );
  return { ids: rows.slice(0, limit).map((row) => BigInt(row.id)), more: rows.length > limit };
}

export interface ModificationView {
  seq: number;
  at: Date;
  actorKind: string;
  actorUserId: number | null;
  /** The API credential that made the change; its actorName is then "API: <label>". */
  actorCredentialId: number | null;
  actorName: string | null;
  operation: string;
  reason: string | null;
  stateBefore: string | null;
  stateAfter: string;
  amountBeforeMinor: bigint | null;
  amountAfterMinor: bigint;
  payoutBeforeMinor: bigint | null;
  payoutAfterMinor: bigint;
  detail: Record<string, unknown> | null;
}

/** Actions by id, whoever's (the outbox renders its events with them), in id order. */
export async function loadActionViews(sql: Sql, actionIds: readonly bigint[], now: Date): Promise<ActionView[]> {
  if (actionIds.length === 0) return [];
  const { rows } = await sql.query<Row>(`select ${COLUMNS} ${FROM} where a.id = any($2::bigint[]) order by a.id`, [
    now,
    actionIds.map((id) => id.toString()),
  ]);
  return rows.map(fromRow);
}

export async function getActionDetailOrThrow(
  sql: Sql,
  actor: Actor,
  actionId: bigint,
  now: Date,
): Promise<{ action: ActionView; modifications: ModificationView[] }> {
  const params: unknown[] = [now, actionId.toString()];
  const where = `a.id = $2 and ${scope(actor, params)}`;
  const { rows } = await sql.query<Row>(`select ${COLUMNS} ${FROM} where ${where}`, params);
  if (!rows[0]) throw notFound(`Action ${actionId} does not exist or is not visible to this account.`);
  // A partner sees that the brand changed its action, and why, but not who at the brand did it.
  const showNames = actor.type === 'operator' || actor.accountKind === 'BRAND';
  const mods = await sql.query<ModificationView>(
    `select m.seq, m.at, m.actor_kind as "actorKind", m.actor_user_id as "actorUserId", m.actor_credential_id as "actorCredentialId",
            ${showNames ? `case when t.id is not null then ${CREDENTIAL_ACTOR_NAME_SQL} else u.name end` : 'null'} as "actorName",
            m.operation, m.reason, m.state_before as "stateBefore",
            m.state_after as "stateAfter", m.amount_before_minor as "amountBeforeMinor", m.amount_after_minor as "amountAfterMinor",
            m.payout_before_minor as "payoutBeforeMinor", m.payout_after_minor as "payoutAfterMinor", m.detail
       from action_modifications m left join users u on u.id = m.actor_user_id
       left join api_tokens t on t.id = m.actor_credential_id
      where m.action_id = $1 order by m.seq`,
    [actionId.toString()],
  );
  // Nor, after a re-attribution, which partner or contract the action came from.
  return {
    action: fromRow(rows[0]),
    modifications: mods.rows.map((m) =>
      showNames ? m : { ...m, actorUserId: null, actorCredentialId: null, detail: m.operation === 'REATTRIBUTE' ? null : m.detail },
    ),
  };
}

export const EXPORT_CHUNK = 2000;
export const MAX_EXPORT_ROWS = 1_000_000;

/**
 * The keys of each sort, as the export pages by them: the sort's columns, then the id, all
 * in the sort's direction (as the list orders them). A null order id sorts as ''.
 */
const EXPORT_SORT_KEYS: Record<string, readonly string[]> = {
  EventDate: ['a.event_at'],
  LockingDate: ['a.locking_at'],
  Amount: ['a.currency', 'a.amount_minor'],
  Payout: ['a.currency', 'a.payout_minor'],
  EventTypeName: ['et.name'],
  CampaignName: ['p.name'],
  Id: [],
  MediaPartnerName: ['pa.name'],
  OrderId: ["coalesce(a.order_id, '')"],
  State: ['a.state'],
};

/** The sort an export of these filters follows: the list's (EventDate, newest first, unless the filters say otherwise). */
export function exportSortOf(filter: Pick<ActionFilter, 'sort' | 'order'>): { sort: string; order: 'asc' | 'desc' } {
  return { sort: filter.sort ?? 'EventDate', order: sortDirection(filter.order) };
}

/**
 * Every action matching a filter, in the list's order (its sort, then the id), in chunks:
 * keyset pagination on (the sort's columns, id) keeps each chunk as cheap as the first, so
 * an export of a million rows streams in constant memory, in the order the screen shows.
 */
export async function* exportActions(
  sql: Sql,
  actor: Actor,
  filter: Omit<ActionFilter, 'page' | 'pageSize'>,
  now: Date,
  chunkRows = EXPORT_CHUNK,
): AsyncGenerator<ActionView[]> {
  const { sort, order } = exportSortOf(filter);
  const keys = EXPORT_SORT_KEYS[sort];
  if (!keys) throw invalid(`Cannot sort by "${sort}"; sort by one of: ${Object.keys(EXPORT_SORT_KEYS).join(', ')}.`);
  const columns = [...keys, 'a.id'];
  const keySelect = keys.map((key, i) => `, ${key} as "k${i}"`).join('');
  const orderBy = columns.map((column) => `${column} ${order}`).join(', ');
  let last: unknown[] | undefined;
  let sent = 0;
  while (sent < MAX_EXPORT_ROWS) {
    const params: unknown[] = [now];
    const where = actionWhere(actor, filter, params);
    if (last !== undefined) {
      const placeholders = last.map((value) => `$${params.push(typeof value === 'bigint' ? value.toString() : value)}`);
      where.push(`(${columns.join(', ')}) ${order === 'desc' ? '<' : '>'} (${placeholders.join(', ')})`);
    }
    const { rows } = await sql.query<Row & Record<string, unknown>>(
      `select ${COLUMNS}${keySelect} ${FROM} where ${where.join(' and ')} order by ${orderBy} limit ${chunkRows}`,
      params,
    );
    if (rows.length === 0) return;
    const end = rows[rows.length - 1]!;
    const lastKeys = keys.map((_, i) => end[`k${i}`]);
    yield rows.map((row) => {
      for (let i = 0; i < keys.length; i++) delete row[`k${i}`];
      return fromRow(row);
    });
    sent += rows.length;
    last = [...lastKeys, end.id];
    if (rows.length < chunkRows) return;
  }
}

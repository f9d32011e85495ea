import type { Db, Sql } from '../db/types.js';
import { completePayloads } from './complete-payloads.js';
import type { EventType, OutboxEvent } from './events.js';

/**
 * How long a gap in the ids may be a transaction still committing. Ids come from a
 * sequence, handed out at insert and not in commit order: a transaction that inserted
 * id 7 may commit after the one that inserted id 8. A reader that moved its cursor past 8
 * would never see 7, so it stops before a young gap and reads it next time; a gap older
 * than this is a rolled-back transaction's (sequences are not transactional).
 */
export const GAP_SETTLE_MS = 10_000;

export interface ReadEventsOptions {
  limit?: number;
  /** Only events whose type starts with this (`action.`, `contract.expired`). */
  typePrefix?: string;
  accountId?: number;
  now?: Date;
}

export interface EventsRead {
  events: OutboxEvent[];
  /** Where the next read starts: the last id read, filtered out or not, before any young gap. */
  cursor: bigint;
}

interface StoredEventRow {
  id: bigint;
  type: EventType;
  subject: string;
  accountIds: number[];
  payload: unknown;
  occurredAt: Date;
  recordedAt: Date;
  changesOnly: boolean;
}

const STORED_EVENT_COLUMNS = `id, type, subject, account_ids as "accountIds", payload, occurred_at as "occurredAt", recorded_at as "recordedAt",
            changes_only as "changesOnly"`;

/** Events by id, their payloads whole (a webhook delivery's, a replay's), in id order. */
export async function readEventsById(db: Db | Sql, ids: readonly bigint[]): Promise<OutboxEvent[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<StoredEventRow>(`select ${STORED_EVENT_COLUMNS} from outbox_events where id = any($1::bigint[]) order by id`, [
    [...new Set(ids.map(String))],
  ]);
  return (await completePayloads(db, rows)).map(({ changesOnly: _changesOnly, ...event }) => event);
}

/**
 * How far a reader may move its cursor over `rows` (events after `cursor`, in id order):
 * to the last id before the first gap younger than GAP_SETTLE_MS.
 */
export function settledCursor(cursor: bigint, rows: ReadonlyArray<{ id: bigint; recordedAt: Date }>, now: Date): bigint {
  let last = cursor;
  for (const row of rows) {
    if (row.id !== last + 1n && now.getTime() - row.recordedAt.getTime() < GAP_SETTLE_MS) break;
    last = row.id;
  }
  return last;
}

/**
 * Events after the cursor, in id order, stopping before any gap that may still fill.
 * A filter by type or account only skips events; it never moves the cursor past a gap.
 */
export async function readEventsAfter(db: Db, cursor: bigint, options: ReadEventsOptions = {}): Promise<EventsRead> {
  const limit = options.limit ?? 500;
  const now = options.now ?? new Date();
  const { rows } = await db.query<StoredEventRow>(`select ${STORED_EVENT_COLUMNS} from outbox_events where id > $1 order by id limit $2`, [cursor.toString(), limit]);
  const kept: typeof rows = [];
  const last = settledCursor(cursor, rows, now);
  for (const row of rows) {
    if (row.id > last) break;
    if (options.typePrefix !== undefined && !row.type.startsWith(options.typePrefix)) continue;
    if (options.accountId !== undefined && !row.accountIds.includes(options.accountId)) continue;
    kept.push(row);
  }
  const events: OutboxEvent[] = (await completePayloads(db, kept)).map(({ changesOnly: _changesOnly, ...event }) => event);
  return { events, cursor: last };
}

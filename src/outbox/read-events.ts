import type { Db } from '../db/types.js';
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

/**
 * Events after the cursor, in id order, stopping before any gap that may still fill.
 * A filter by type or account only skips events; it never moves the cursor past a gap.
 */
export async function readEventsAfter(db: Db, cursor: bigint, options: ReadEventsOptions = {}): Promise<EventsRead> {
  const limit = options.limit ?? 500;
  const now = options.now ?? new Date();
  const { rows } = await db.query<{
    id: bigint;
    type: EventType;
    subject: string;
    accountIds: number[];
    payload: unknown;
    occurredAt: Date;
    recordedAt: Date;
    changesOnly: boolean;
  }>(
    `select id, type, subject, account_ids as "accountIds", payload, occurred_at as "occurredAt", recorded_at as "recordedAt",
            changes_only as "changesOnly"
       from outbox_events where id > $1 order by id limit $2`,
    [cursor.toString(), limit],
  );
  const kept: typeof rows = [];
  let last = cursor;
  for (const row of rows) {
    if (row.id !== last + 1n && now.getTime() - row.recordedAt.getTime() < GAP_SETTLE_MS) break;
    last = row.id;
    if (options.typePrefix !== undefined && !row.type.startsWith(options.typePrefix)) continue;
    if (options.accountId !== undefined && !row.accountIds.includes(options.accountId)) continue;
    kept.push(row);
  }
  const events: OutboxEvent[] = (await completePayloads(db, kept)).map(({ changesOnly: _changesOnly, ...event }) => event);
  return { events, cursor: last };
}

import type { Sql } from '../db/types.js';
import type { OutboxEventInput } from './events.js';

/**
 * Writes events in the caller's transaction, so an event exists exactly when the change
 * it describes was committed: a rolled-back operation leaves none. Many at once in one
 * statement (the lock job writes thousands per chunk).
 */
export async function recordEvents(tx: Sql, events: readonly OutboxEventInput[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query(
    `insert into outbox_events (type, subject, account_ids, payload, occurred_at)
     select u.type, u.subject, array(select jsonb_array_elements_text(u.accounts)::int), u.payload, u.at
       from unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[], $5::timestamptz[]) as u(type, subject, accounts, payload, at)`,
    [
      events.map((e) => e.type),
      events.map((e) => e.subject),
      events.map((e) => JSON.stringify(e.accountIds)),
      events.map((e) => JSON.stringify(e.payload)),
      events.map((e) => e.occurredAt.toISOString()),
    ],
  );
}

/**
 * The columns an event query gives, in this order: what `recordEventsSelected` inserts.
 * A module whose resources change by the thousand builds their payloads in the database
 * (src/modules/actions/action-events.ts) and hands the outbox the query that selects them.
 * `changes_only` is true when the payload holds only the fields that changed, the rest
 * being the subject's previous full event (see src/outbox/complete-payloads.ts).
 */
export const EVENT_COLUMNS = ['type', 'subject', 'account_ids', 'payload', 'occurred_at', 'changes_only'] as const;

/**
 * The resource ids from which on every resource of a kind has had its events since its
 * creation (migration 0019): below it, a resource may have been recorded before the
 * outbox existed, and its next event must be written whole.
 */
export async function eventCoverageFrom(db: Sql, resource: 'action'): Promise<bigint> {
  const { rows } = await db.query<{ firstId: string }>('select first_id::text as "firstId" from outbox_coverage where resource = $1', [resource]);
  return rows.length ? BigInt(rows[0]!.firstId) : 0n;
}

/**
 * Writes the events a query selects (columns EVENT_COLUMNS, in that order) in the
 * caller's transaction, and answers how many it wrote. `name` keeps the statement prepared.
 */
export async function recordEventsSelected(tx: Sql, select: string, params: unknown[], name?: string): Promise<number> {
  const { rowCount } = await tx.query(`insert into outbox_events (${EVENT_COLUMNS.join(', ')}) ${select}`, params, name ? { name } : undefined);
  return rowCount ?? 0;
}

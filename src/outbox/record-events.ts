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

import type { Sql } from '../db/types.js';

/** An event as stored: its payload may hold only what changed (`changesOnly`). */
export interface StoredPayload {
  id: bigint;
  subject: string;
  payload: unknown;
  changesOnly: boolean;
}

/**
 * Puts back together the payload of every change event among `events`: the subject's
 * latest full event before it, with the fields of each change event since then set in
 * order, its own last. The lock job writes its events this way (src/modules/actions/
 * action-events.ts): what a lock changes is a dozen fields of an 800-byte payload, and
 * building the whole payload for each of thousands of actions a second cost as much as
 * the lock itself. The price is paid here, by a reader, one indexed lookup per change
 * event (the subject index), instead of by the job that holds the actions' rows.
 *
 * Nothing deletes events, so the full event a change event starts from is always there;
 * a retention job that ever does must keep, per subject, the latest full event before
 * any change event it keeps. A change event with nothing to start from is an error, not
 * a half payload passed on.
 */
export async function completePayloads<T extends StoredPayload>(db: Sql, events: T[]): Promise<T[]> {
  const partial = events.filter((event) => event.changesOnly);
  if (partial.length === 0) return events;
  const { rows } = await db.query<{ forId: string; payload: Record<string, unknown> }>(
    `select p.id::text as "forId", x.payload
       from unnest($1::bigint[], $2::text[]) as p(id, subject)
       cross join lateral (
         select b.id from outbox_events b
          where b.subject = p.subject and b.id < p.id and not b.changes_only
          order by b.id desc limit 1) base
       join outbox_events x on x.subject = p.subject and x.id >= base.id and x.id < p.id
      order by p.id, x.id`,
    [partial.map((event) => event.id.toString()), partial.map((event) => event.subject)],
  );
  const before = new Map<string, Record<string, unknown>>();
  for (const row of rows) before.set(row.forId, { ...(before.get(row.forId) ?? {}), ...row.payload });
  return events.map((event) => {
    if (!event.changesOnly) return event;
    const start = before.get(event.id.toString());
    if (!start) {
      throw new Error(`Outbox event ${event.id} about ${event.subject} holds only its changes, and no earlier full event about ${event.subject} is left to complete it.`);
    }
    return { ...event, payload: { ...start, ...(event.payload as Record<string, unknown>) }, changesOnly: false };
  });
}

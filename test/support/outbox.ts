/**
 * The outbox in tests: every action and contract operation writes its events in its own
 * transaction, and a refused or rolled-back one writes none. These helpers read what an
 * operation wrote and hold an action event's payload to the API's own answer.
 */
import { expect } from 'vitest';
import type { Db } from '../../src/db/types.js';

export interface StoredEvent {
  id: bigint;
  type: string;
  subject: string;
  accountIds: number[];
  payload: Record<string, unknown>;
}

/** The newest event id, to read what comes after it. */
export async function outboxCursor(db: Db): Promise<bigint> {
  const { rows } = await db.query<{ id: string }>('select coalesce(max(id), 0)::text as id from outbox_events');
  return BigInt(rows[0]!.id);
}

export async function eventsSince(db: Db, cursor: bigint): Promise<StoredEvent[]> {
  const { rows } = await db.query<StoredEvent>(
    `select id, type, subject, account_ids as "accountIds", payload from outbox_events where id > $1 order by id`,
    [cursor.toString()],
  );
  return rows;
}

/** What an action event carries is the API's action without what depends on who asks. */
export function asEventPayload(action: object): Record<string, unknown> {
  const { AllowedOperations: _allowed, Modifications: _mods, ...rest } = action as Record<string, unknown>;
  return { ...rest, AllowedOperations: [] };
}

/**
 * Asserts the events since `cursor`: their types in order, each about `subject`, and,
 * when the API's answer for the resource is given, the last one's payload equal to it.
 */
export async function expectEvents(
  db: Db,
  cursor: bigint,
  expected: {
    types: string[];
    subject?: string;
    accountIds?: number[];
    /** The API's answer for the action: the last event's payload must equal it (asEventPayload). */
    resource?: object;
    /** The exact payload of the last event about `subject`. */
    payload?: Record<string, unknown>;
  },
): Promise<StoredEvent[]> {
  const events = await eventsSince(db, cursor);
  expect(events.map((e) => e.type), 'the outbox events written').toEqual(expected.types);
  if (expected.subject && !expected.payload) for (const event of events) expect(event.subject).toBe(expected.subject);
  if (expected.accountIds) for (const event of events) expect([...event.accountIds].sort()).toEqual([...expected.accountIds].sort());
  if (expected.resource && events.length) expect(events[events.length - 1]!.payload).toEqual(asEventPayload(expected.resource));
  if (expected.payload) {
    const about = events.filter((event) => event.subject === expected.subject);
    expect(about.length, `an event about ${expected.subject}`).toBeGreaterThan(0);
    expect(about[about.length - 1]!.payload).toEqual(expected.payload);
  }
  return events;
}

/**
 * The outbox in tests: every action and contract operation writes its events in its own
 * transaction, and a refused or rolled-back one writes none. These helpers read what an
 * operation wrote and hold an action event's payload to the API's own answer.
 */
import { expect } from 'vitest';
import type { Db } from '../../src/db/types.js';
import { completePayloads } from '../../src/outbox/complete-payloads.js';

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

/** The events since `cursor`, each with its whole payload (a change event's completed as readers complete it). */
export async function eventsSince(db: Db, cursor: bigint): Promise<StoredEvent[]> {
  return storedEvents(db, 'id > $1', [cursor.toString()]);
}

/** The newest event about `subject`, with its whole payload. */
export async function lastEventAbout(db: Db, subject: string): Promise<StoredEvent | undefined> {
  return (await storedEvents(db, 'id = (select max(id) from outbox_events where subject = $1)', [subject]))[0];
}

async function storedEvents(db: Db, where: string, params: unknown[]): Promise<StoredEvent[]> {
  const { rows } = await db.query<StoredEvent & { changesOnly: boolean }>(
    `select id, type, subject, account_ids as "accountIds", payload, changes_only as "changesOnly" from outbox_events where ${where} order by id`,
    params,
  );
  return (await completePayloads(db, rows)).map(({ changesOnly: _changesOnly, ...event }) => event);
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

import type { Sql } from '../../db/types.js';
import { readEventsById } from '../../outbox/read-events.js';
import { toWireEvent, type WireEvent } from '../../outbox/wire.js';

/**
 * Outbox events by id as a webhook carries them: the body of the request, PascalCase,
 * the resource whole (a change event's payload completed, src/outbox/complete-payloads.ts).
 */
export async function readWireEventsById(db: Sql, eventIds: readonly bigint[]): Promise<Map<bigint, WireEvent>> {
  return new Map((await readEventsById(db, eventIds)).map((event) => [BigInt(event.id), toWireEvent(event)]));
}

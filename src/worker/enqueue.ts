import { findUnstorableText } from '../core/text.js';
import type { Db, Sql } from '../db/types.js';
import { findKindOrThrow, type WorkKind } from './registry.js';
import { wake } from './wake.js';

export interface EnqueueOptions {
  /**
   * At most one item ever has this key (until a done item is pruned): enqueuing it again
   * returns the existing item, whatever its state. For runs that several instances or
   * retries may ask for, e.g. `lock-due-actions:2026-01-15T12:03`.
   */
  dedupeKey?: string;
  /** Not before this time (default: now). */
  runAfter?: Date;
  /** Not before this many milliseconds from now, by the database's clock. */
  delayMs?: number;
  /**
   * The item's progress from the start: work its enqueuer already did in the same
   * transaction (a flow's first step, done while the request that started it waited).
   */
  progress?: unknown;
}

export interface Enqueued {
  id: bigint;
  /** False when an item with the dedupe key existed: nothing was added. */
  created: boolean;
}

/** Bounds: a payload names what to do (ids, a file's key), it does not carry the data. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
export const MAX_DEDUPE_KEY_LENGTH = 200;

/** The payload as JSON the database can store, or an error saying what is wrong with it. */
export function payloadJson(kind: string, payload: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload ?? {});
  } catch (error) {
    throw new Error(`The payload of a "${kind}" work item is not JSON (${(error as Error).message}); send ids as strings or numbers.`);
  }
  if (json === undefined) throw new Error(`The payload of a "${kind}" work item is not JSON; send an object.`);
  if (Buffer.byteLength(json) > MAX_PAYLOAD_BYTES) {
    throw new Error(`The payload of a "${kind}" work item is ${Buffer.byteLength(json)} bytes, over ${MAX_PAYLOAD_BYTES}; store the data and put its key in the payload.`);
  }
  const unstorable = findUnstorableText(payload, 'payload');
  if (unstorable) throw new Error(`The payload of a "${kind}" work item cannot be stored: ${unstorable.field} ${unstorable.message}.`);
  return json;
}

function checkDedupeKey(key: string | undefined): void {
  if (key === undefined) return;
  if (key.length === 0 || key.length > MAX_DEDUPE_KEY_LENGTH || findUnstorableText(key, 'dedupeKey')) {
    throw new Error(`A dedupe key is 1 to ${MAX_DEDUPE_KEY_LENGTH} characters of storable text; got ${JSON.stringify(key.slice(0, 50))}.`);
  }
}

function isDb(handle: Sql): handle is Db {
  return typeof (handle as Partial<Db>).transaction === 'function';
}

/**
 * Adds a work item, in the caller's transaction: an operation that must be followed by
 * background work enqueues it in the same transaction as its own writes, so either both
 * happen or neither. Pass the Db itself to enqueue on its own; then this process's
 * workers are woken at once. In a transaction, call wake() after the commit (or the
 * item waits for the next poll, a second at most).
 */
// The kind decides the payload's type (NoInfer: a payload does not widen it); its progress type is its own business.
export async function enqueue<P, G = unknown>(tx: Sql, kind: WorkKind<P, G> | string, payload: NoInfer<P>, options: EnqueueOptions = {}): Promise<Enqueued> {
  const resolved = typeof kind === 'string' ? findKindOrThrow(kind) : kind;
  const json = payloadJson(resolved.name, payload);
  checkDedupeKey(options.dedupeKey);
  const { rows } = await tx.query<{ id: bigint }>(
    `insert into work_items (kind, payload, state, max_attempts, run_after, dedupe_key, progress, created_at, updated_at)
     values ($1, $2::jsonb, 'QUEUED', $3, coalesce($4::timestamptz, statement_timestamp() + $5::int * interval '1 millisecond'), $6,
             $7::jsonb, statement_timestamp(), statement_timestamp())
     on conflict (dedupe_key) do nothing
     returning id`,
    [
      resolved.name,
      json,
      resolved.maxAttempts,
      options.runAfter ?? null,
      Math.max(0, Math.round(options.delayMs ?? 0)),
      options.dedupeKey ?? null,
      options.progress === undefined ? null : payloadJson(resolved.name, options.progress),
    ],
  );
  let enqueued: Enqueued;
  if (rows[0]) {
    enqueued = { id: BigInt(rows[0].id), created: true };
  } else {
    const existing = await tx.query<{ id: bigint }>('select id from work_items where dedupe_key = $1', [options.dedupeKey]);
    if (!existing.rows[0]) throw new Error(`Work item with dedupe key "${options.dedupeKey}" vanished while enqueuing; enqueue it again.`);
    enqueued = { id: BigInt(existing.rows[0].id), created: false };
  }
  if (isDb(tx) && enqueued.created) wake();
  return enqueued;
}

/**
 * Adds many items of one kind in one statement (a flow fanning out), in the caller's
 * transaction. Items whose dedupe key exists are left out. Returns how many were added.
 */
export async function enqueueMany<P, G = unknown>(
  tx: Sql,
  kind: WorkKind<P, G> | string,
  items: ReadonlyArray<{ payload: NoInfer<P>; dedupeKey?: string; runAfter?: Date }>,
): Promise<number> {
  const resolved = typeof kind === 'string' ? findKindOrThrow(kind) : kind;
  if (items.length === 0) return 0;
  const payloads = items.map((item) => payloadJson(resolved.name, item.payload));
  for (const item of items) checkDedupeKey(item.dedupeKey);
  const { rowCount } = await tx.query(
    `insert into work_items (kind, payload, state, max_attempts, run_after, dedupe_key, created_at, updated_at)
     select $1, u.payload::jsonb, 'QUEUED', $2, coalesce(u.run_after, statement_timestamp()), u.dedupe_key, statement_timestamp(), statement_timestamp()
       from unnest($3::text[], $4::timestamptz[], $5::text[]) with ordinality as u(payload, run_after, dedupe_key, n)
      order by u.n
     on conflict (dedupe_key) do nothing`,
    [
      resolved.name,
      resolved.maxAttempts,
      payloads,
      items.map((item) => item.runAfter?.toISOString() ?? null),
      items.map((item) => item.dedupeKey ?? null),
    ],
  );
  if (isDb(tx) && rowCount > 0) wake();
  return rowCount;
}

import type { Sql } from '../db/types.js';
import type { EventType } from './events.js';
import { recordEvents } from './record-events.js';

/**
 * An event's payload is its resource as the API returns it after the change. The API's
 * shapes live in the HTTP layer's wire contract (src/http/contract-mapping), which the
 * modules must not import (it imports them); so the HTTP layer hands the outbox one
 * renderer per kind of resource when it loads (src/http/event-payloads.ts), and a module
 * records an event by naming the resource and what happened to it. A process that
 * changes data without loading the renderers would fail here rather than write an event
 * without its payload.
 */
export type ResourceKind = 'contract' | 'correction' | 'statement' | 'paystub' | 'returns_batch' | 'ticket' | 'account';

export interface RenderedResource {
  id: string;
  /** The accounts the resource belongs to (brand and partner): who may receive its events. */
  accountIds: number[];
  payload: unknown;
}

export type ResourceRenderer = (tx: Sql, ids: readonly string[], now: Date) => Promise<RenderedResource[]>;

const renderers = new Map<ResourceKind, ResourceRenderer>();

export function renderResourcesWith(kind: ResourceKind, renderer: ResourceRenderer): void {
  renderers.set(kind, renderer);
}

export interface ResourceChange {
  id: bigint | number | string;
  type: EventType;
}

/**
 * Records one event per change, in the caller's transaction, with each resource as it is
 * now (read in that transaction: after the change, before the commit). Many at once:
 * the lock job records a chunk's thousands with one read and one insert.
 */
export async function recordResourceEvents(tx: Sql, kind: ResourceKind, changes: readonly ResourceChange[], now: Date): Promise<void> {
  if (changes.length === 0) return;
  const render = renderers.get(kind);
  if (!render) {
    throw new Error(`No payload renderer for ${kind} events: the process must load src/http/event-payloads.js (the app and the command line do).`);
  }
  const ids = [...new Set(changes.map((change) => String(change.id)))];
  const byId = new Map((await render(tx, ids, now)).map((resource) => [resource.id, resource]));
  await recordEvents(
    tx,
    changes.map((change) => {
      const resource = byId.get(String(change.id));
      if (!resource) throw new Error(`The ${kind} ${change.id} of a ${change.type} event does not exist.`);
      return { type: change.type, subject: `${kind}:${resource.id}`, accountIds: resource.accountIds, payload: resource.payload, occurredAt: now };
    }),
  );
}

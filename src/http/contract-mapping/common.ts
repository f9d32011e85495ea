/**
 * From what the services return to the wire contract (src/http/contract): one mapping
 * per area, pure functions without Fastify, so routes, and anything else that sends a
 * resource as the API shows it (the outbox), use the same one.
 */
import type { Page } from '../contract/common.js';

/** A page of service rows as the API sends it. */
export function toPage<T, U>(page: { items: readonly T[]; page: number; pageSize: number; total: number }, map: (item: T) => U): Page<U> {
  return { Items: page.items.map(map), Page: page.page, PageSize: page.pageSize, Total: page.total };
}

/** A date as the API sends it; null stays null. */
export function isoOrNull(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

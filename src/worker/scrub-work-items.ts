import { scrubColumn } from '../db/scrub.js';
import type { Sql } from '../db/types.js';

/**
 * Erasure in the work items (a closed account's personal data): payloads, progress and
 * last errors hold ids as a rule, but an error message may quote a name. Every item is
 * looked at (the table is pruned of finished items; see prune-work-items.ts).
 */
export async function scrubWorkItems(tx: Sql, values: readonly string[]): Promise<number> {
  let changed = 0;
  changed += await scrubColumn(tx, { table: 'work_items', column: 'payload', jsonb: true, where: 'true', values });
  changed += await scrubColumn(tx, { table: 'work_items', column: 'progress', jsonb: true, where: 'progress is not null', values });
  changed += await scrubColumn(tx, { table: 'work_items', column: 'last_error', where: 'last_error is not null', values });
  return changed;
}

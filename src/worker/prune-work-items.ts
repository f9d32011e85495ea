import type { Db } from '../db/types.js';

/** How long a done item is kept (for the console and its dedupe key) before it is deleted. */
export const DONE_RETENTION_MS = 7 * 86_400_000;

/**
 * Deletes done items finished more than `olderThanMs` ago, in chunks, each its own
 * statement. Failed and dead items are kept: they wait for an operator. A done item's
 * dedupe key goes with it, which is why keys of periodic runs name their minute.
 */
export async function pruneWorkItems(
  db: Db,
  options: { olderThanMs?: number; chunkSize?: number; onProgress?: (deleted: number) => void; signal?: AbortSignal } = {},
): Promise<{ deleted: number }> {
  const chunkSize = options.chunkSize ?? 1000;
  let deleted = 0;
  for (;;) {
    if (options.signal?.aborted) break;
    const { rowCount } = await db.query(
      `delete from work_items where id in (
         select id from work_items
          where state = 'DONE' and finished_at < statement_timestamp() - $1::bigint * interval '1 millisecond'
          order by finished_at
          limit $2
            for update skip locked)`,
      [options.olderThanMs ?? DONE_RETENTION_MS, chunkSize],
    );
    deleted += rowCount;
    options.onProgress?.(deleted);
    if (rowCount < chunkSize) break;
  }
  return { deleted };
}

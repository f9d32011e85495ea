import type { Db } from '../db/types.js';
import type { ClaimedItem } from './claim.js';

/**
 * How a worker ends its claim of an item. Each is a compare-and-set on the claim's lease
 * token: when the lease was lost meanwhile (the item was taken back), nothing changes
 * and the caller learns so.
 */

/** The longest last_error kept: enough for a message and a cause, not a whole stack. */
export const MAX_ERROR_LENGTH = 2000;

/** An error as text the database can store (no NUL, no lone surrogate), bounded. */
export function errorText(error: unknown): string {
  const text =
    error instanceof Error
      ? `${error.name && error.name !== 'Error' ? `${error.name}: ` : ''}${error.message || String(error)}`
      : typeof error === 'string'
        ? error
        : JSON.stringify(error) ?? String(error);
  return text.toWellFormed().replaceAll('\u0000', '\uFFFD').slice(0, MAX_ERROR_LENGTH);
}

/** RUNNING → DONE; `progress`, when given, is the final progress (a summary). */
export async function completeWorkItem(db: Db, item: ClaimedItem, progressJson: string | null): Promise<boolean> {
  const { rowCount } = await db.query(
    `update work_items
        set state = 'DONE', lease_owner = null, lease_expires_at = null, progress = coalesce($3::jsonb, progress),
            finished_at = statement_timestamp(), updated_at = statement_timestamp()
      where id = $1 and lease_owner = $2 and state = 'RUNNING'`,
    [item.id.toString(), item.leaseOwner, progressJson],
  );
  return rowCount === 1;
}

/**
 * RUNNING → FAILED (to run again after `delayMs`), or DEAD when the attempt was the
 * item's last (decided by the row, which knows its attempts). Progress is kept, so the
 * next attempt resumes. Resolves with the new state, or null when the lease was lost.
 */
export async function failWorkItem(db: Db, item: ClaimedItem, error: unknown, delayMs: number): Promise<'FAILED' | 'DEAD' | null> {
  const { rows } = await db.query<{ state: 'FAILED' | 'DEAD' }>(
    `update work_items
        set state = case when attempts >= max_attempts then 'DEAD' else 'FAILED' end,
            run_after = statement_timestamp() + $4::int * interval '1 millisecond',
            lease_owner = null, lease_expires_at = null, last_error = $3,
            finished_at = case when attempts >= max_attempts then statement_timestamp() end,
            updated_at = statement_timestamp()
      where id = $1 and lease_owner = $2 and state = 'RUNNING'
  returning state`,
    [item.id.toString(), item.leaseOwner, errorText(error), Math.max(0, Math.round(delayMs))],
  );
  return rows[0]?.state ?? null;
}

/**
 * RUNNING → QUEUED at a shutdown: due now, progress kept, and the attempt not counted
 * (stopping a deploy is no failure of the item).
 */
export async function releaseWorkItem(db: Db, item: ClaimedItem): Promise<boolean> {
  const { rowCount } = await db.query(
    `update work_items
        set state = 'QUEUED', attempts = greatest(attempts - 1, 0), run_after = statement_timestamp(),
            lease_owner = null, lease_expires_at = null, updated_at = statement_timestamp()
      where id = $1 and lease_owner = $2 and state = 'RUNNING'`,
    [item.id.toString(), item.leaseOwner],
  );
  return rowCount === 1;
}
